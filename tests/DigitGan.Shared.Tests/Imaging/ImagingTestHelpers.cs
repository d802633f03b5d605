using DigitGan.Shared.Imaging;

namespace DigitGan.Shared.Tests.Imaging;

internal static class ImagingTestHelpers
{
    public static GrayImage RandomImage(int width, int height, int seed, int maxValueExclusive = 256)
    {
        var rng = new Random(seed);
        var pixels = new byte[width * height];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)rng.Next(maxValueExclusive);
        }

        return new GrayImage(width, height, pixels);
    }

    public static GrayImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = (byte)((x * 7) + (y * 3));
            }
        }

        return new GrayImage(width, height, pixels);
    }

    /// <summary>Bitwise (table-free) CRC-32, independent of the encoder's table implementation.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                uint mask = (uint)-(int)(crc & 1);
                crc = (crc >> 1) ^ (0xEDB88320u & mask);
            }
        }

        return ~crc;
    }
}
