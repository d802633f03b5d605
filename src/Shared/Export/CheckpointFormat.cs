using System.Security.Cryptography;
using System.Text;

namespace DigitGan.Shared.Export;

/// <summary>
/// The frame of a DigitGan checkpoint file: a magic line, then the body (an Int32-length JSON header and the model
/// states), then a SHA-256 of everything before it. The workers write it; the export reads it without TorchSharp.
/// </summary>
public static class CheckpointFormat
{
    public static ReadOnlySpan<byte> Magic => "DIGITGAN-CKPT\n"u8;

    private const int HashLength = 32;

    /// <summary>A reader positioned after the magic line, once the signature and the SHA-256 check out; a readable error otherwise.</summary>
    public static BinaryReader OpenVerified(byte[] bytes, string source)
    {
        if (bytes.Length < Magic.Length + 4 + HashLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{source} is not a DigitGan checkpoint (it does not start with the checkpoint signature).");
        }

        var body = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
        {
            throw new InvalidDataException($"{source} is damaged or truncated (its SHA-256 check failed); use another checkpoint, e.g. a numbered one, or download it again.");
        }

        var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - HashLength, writable: false), Encoding.UTF8);
        reader.ReadBytes(Magic.Length);
        return reader;
    }
}
