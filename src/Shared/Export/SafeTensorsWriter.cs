using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace DigitGan.Shared.Export;

/// <summary>
/// Writes the safetensors format (huggingface/safetensors): an unsigned 64-bit little-endian header length, a JSON
/// header mapping each tensor name to its dtype, shape and [begin, end) byte offsets into the data (plus an optional
/// string-to-string __metadata__), padded with spaces to a multiple of 8 bytes, then the tensors' bytes back to back.
/// </summary>
public static class SafeTensorsWriter
{
    public static byte[] Write(IReadOnlyList<StoredTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (tensors.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != tensors.Count)
        {
            throw new ArgumentException("Tensor names must be unique.", nameof(tensors));
        }

        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var tensor in tensors)
            {
                if (tensor.Data.LongLength != tensor.ElementCount * ElementSize(tensor.DType))
                {
                    throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.Data.LongLength} bytes, not the {tensor.ElementCount * ElementSize(tensor.DType)} its dtype and shape take.", nameof(tensors));
                }

                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.DType);
                writer.WriteStartArray("shape");
                foreach (var size in tensor.Shape)
                {
                    writer.WriteNumberValue(size);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + tensor.Data.LongLength);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += tensor.Data.LongLength;
            }

            writer.WriteEndObject();
        }

        var header = json.ToArray();
        var padded = (header.Length + 7) / 8 * 8;
        using var output = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(header);
        output.Write(Encoding.ASCII.GetBytes(new string(' ', padded - header.Length)));
        foreach (var tensor in tensors)
        {
            output.Write(tensor.Data);
        }

        return output.ToArray();
    }

    public static int ElementSize(string dtype) => dtype switch
    {
        "U8" or "I8" or "BOOL" => 1,
        "I16" or "F16" or "BF16" => 2,
        "I32" or "F32" => 4,
        "I64" or "F64" => 8,
        _ => throw new ArgumentException($"Unknown safetensors dtype '{dtype}'.", nameof(dtype)),
    };
}
