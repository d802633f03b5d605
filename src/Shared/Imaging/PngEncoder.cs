using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DigitGan.Shared.Imaging;

/// <summary>
/// Minimal pure-managed PNG encoder for 8-bit grayscale images (colour type 0, no interlace).
/// Each row gets the filter (None/Sub/Up/Average/Paeth) with the smallest sum of absolute signed
/// residuals; the filtered data is zlib-compressed into IDAT chunks of at most 64 KiB.
/// </summary>
public static class PngEncoder
{
    private const int MaxIdatChunk = 64 * 1024;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(GrayImage image)
    {
        using var ms = new MemoryStream();
        Write(ms, image);
        return ms.ToArray();
    }

    public static void Write(Stream output, GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(image);
        if (!output.CanWrite)
        {
            throw new ArgumentException("Output stream is not writable.", nameof(output));
        }

        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 0;  // colour type: grayscale
        ihdr[10] = 0; // compression: deflate
        ihdr[11] = 0; // filter method 0
        ihdr[12] = 0; // no interlace
        WriteChunk(output, "IHDR", ihdr);

        byte[] compressed = CompressScanlines(image);
        int offset = 0;
        do
        {
            int n = Math.Min(MaxIdatChunk, compressed.Length - offset);
            WriteChunk(output, "IDAT", compressed.AsSpan(offset, n));
            offset += n;
        }
        while (offset < compressed.Length);

        WriteChunk(output, "IEND", []);
    }

    private static byte[] CompressScanlines(GrayImage image)
    {
        int w = image.Width;
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            var candidates = new byte[5][];
            for (int f = 0; f < candidates.Length; f++)
            {
                candidates[f] = new byte[w + 1];
                candidates[f][0] = (byte)f;
            }

            var zeroRow = new byte[w];
            for (int y = 0; y < image.Height; y++)
            {
                ReadOnlySpan<byte> cur = image.Pixels.AsSpan(y * w, w);
                ReadOnlySpan<byte> prev = y == 0 ? zeroRow : image.Pixels.AsSpan((y - 1) * w, w);
                int best = 0;
                long bestScore = long.MaxValue;
                for (int f = 0; f < candidates.Length; f++)
                {
                    Span<byte> dst = candidates[f].AsSpan(1);
                    long score = Filter(f, cur, prev, dst);
                    if (score < bestScore)
                    {
                        bestScore = score;
                        best = f;
                    }
                }

                z.Write(candidates[best]);
            }
        }

        return ms.ToArray();
    }

    /// <summary>Applies PNG filter <paramref name="type"/> (bpp = 1) and returns the sum of |signed residual|.</summary>
    private static long Filter(int type, ReadOnlySpan<byte> cur, ReadOnlySpan<byte> prev, Span<byte> dst)
    {
        long score = 0;
        for (int x = 0; x < cur.Length; x++)
        {
            int a = x > 0 ? cur[x - 1] : 0;
            int b = prev[x];
            int c = x > 0 ? prev[x - 1] : 0;
            int predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            byte r = (byte)(cur[x] - predictor);
            dst[x] = r;
            score += Math.Abs((int)(sbyte)r);
        }

        return score;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        output.Write(header);
        output.Write(data);

        uint crc = Crc32.Update(Crc32.Initial, header[4..]);
        crc = Crc32.Update(crc, data);
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, Crc32.Finish(crc));
        output.Write(trailer);
    }
}
