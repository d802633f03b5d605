using System.Buffers.Binary;
using System.IO.Compression;

namespace DigitGan.Shared.Imaging;

/// <summary>
/// Decodes the PNGs DigitGan writes itself (8-bit grayscale, not interlaced, any filter): enough to rebuild a run's
/// GIF from its stored grids and to cut cells out of a grid, without a native image library.
/// </summary>
public static class PngDecoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static GrayImage Decode(ReadOnlySpan<byte> png, string source)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
        {
            throw new InvalidDataException($"{source} is not a PNG file.");
        }

        int width = 0, height = 0;
        using var compressed = new MemoryStream();
        var offset = Signature.Length;
        while (true)
        {
            if (offset + 12 > png.Length)
            {
                throw new InvalidDataException($"{source} is truncated (no IEND chunk).");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(png[offset..]);
            var type = System.Text.Encoding.ASCII.GetString(png.Slice(offset + 4, 4));
            if (length < 0 || offset + 12 + length > png.Length)
            {
                throw new InvalidDataException($"{source} is truncated inside its {type} chunk.");
            }

            var data = png.Slice(offset + 8, length);
            if (Crc32.Compute(png.Slice(offset + 4, length + 4)) != BinaryPrimitives.ReadUInt32BigEndian(png[(offset + 8 + length)..]))
            {
                throw new InvalidDataException($"{source} is corrupt (CRC mismatch in its {type} chunk).");
            }

            offset += 12 + length;
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[9] != 0 || data[12] != 0)
                {
                    throw new InvalidDataException($"{source} is not an 8-bit grayscale, non-interlaced PNG (bit depth {data[8]}, colour type {data[9]}, interlace {data[12]}).");
                }
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }
        }

        if (width <= 0 || height <= 0)
        {
            throw new InvalidDataException($"{source} has no valid IHDR chunk.");
        }

        var raw = new byte[(width + 1) * height];
        compressed.Position = 0;
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            try
            {
                zlib.ReadExactly(raw);
            }
            catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
            {
                throw new InvalidDataException($"{source} has damaged image data: {ex.Message}", ex);
            }
        }

        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (width + 1)];
            var line = raw.AsSpan((y * (width + 1)) + 1, width);
            var row = pixels.AsSpan(y * width, width);
            ReadOnlySpan<byte> previous = y == 0 ? new byte[width] : pixels.AsSpan((y - 1) * width, width);
            for (var x = 0; x < width; x++)
            {
                int left = x > 0 ? row[x - 1] : 0, up = previous[x], upLeft = x > 0 ? previous[x - 1] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"{source} uses unknown PNG filter {filter} in row {y}."),
                };
                row[x] = (byte)(line[x] + predictor);
            }
        }

        return new GrayImage(width, height, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
