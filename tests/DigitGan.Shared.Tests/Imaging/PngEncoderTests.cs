using System.Buffers.Binary;
using System.Text;
using DigitGan.Shared.Imaging;
using SkiaSharp;
using Xunit;

namespace DigitGan.Shared.Tests.Imaging;

public class PngEncoderTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Theory]
    [InlineData(37, 23, 1)]
    [InlineData(1, 1, 2)]
    [InlineData(28, 28, 3)]
    [InlineData(1, 57, 4)]
    [InlineData(61, 1, 5)]
    [InlineData(400, 400, 6)] // incompressible: several IDAT chunks
    public void RandomImage_RoundTripsThroughSkia(int width, int height, int seed)
    {
        GrayImage image = ImagingTestHelpers.RandomImage(width, height, seed);
        AssertRoundTrip(image);
    }

    [Fact]
    public void LowEntropyAndGradientImages_RoundTrip()
    {
        AssertRoundTrip(ImagingTestHelpers.RandomImage(53, 41, 7, maxValueExclusive: 4));
        AssertRoundTrip(ImagingTestHelpers.Gradient(97, 31));
    }

    [Fact]
    public void AllBlackImage_RoundTripsAndIsSmall()
    {
        var image = new GrayImage(300, 200);
        byte[] png = AssertRoundTrip(image);
        Assert.True(png.Length < 1000, $"all-black 300x200 PNG is {png.Length} bytes");
    }

    [Fact]
    public void StructureAndCrcs_AreValid()
    {
        GrayImage image = ImagingTestHelpers.RandomImage(400, 400, 11);
        byte[] png = PngEncoder.Encode(image);
        List<(string Type, byte[] Data)> chunks = ReadChunks(png);

        Assert.Equal("IHDR", chunks[0].Type);
        byte[] ihdr = chunks[0].Data;
        Assert.Equal(13, ihdr.Length);
        Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(ihdr));
        Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal([8, 0, 0, 0, 0], ihdr[8..]);

        Assert.Equal("IEND", chunks[^1].Type);
        Assert.Empty(chunks[^1].Data);
        Assert.All(chunks.Skip(1).SkipLast(1), c => Assert.Equal("IDAT", c.Type));
        Assert.True(chunks.Count - 2 > 1, "expected the 400x400 noise image to span several IDAT chunks");
    }

    [Fact]
    public void WriteAndEncode_ProduceSameBytes()
    {
        GrayImage image = ImagingTestHelpers.RandomImage(37, 23, 5);
        using var ms = new MemoryStream();
        PngEncoder.Write(ms, image);
        Assert.Equal(PngEncoder.Encode(image), ms.ToArray());
    }

    [Fact]
    public void BitwiseCrc_MatchesKnownCheckValue()
    {
        // Standard CRC-32 check value for "123456789".
        Assert.Equal(0xCBF43926u, ImagingTestHelpers.BitwiseCrc32("123456789"u8));
    }

    private static byte[] AssertRoundTrip(GrayImage image)
    {
        byte[] png = PngEncoder.Encode(image);
        _ = ReadChunks(png); // signature + CRC checks

        using SKBitmap? bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal(image.Width, bitmap.Width);
        Assert.Equal(image.Height, bitmap.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                SKColor color = bitmap.GetPixel(x, y);
                byte expected = image[x, y];
                if (color.Red != expected || color.Green != expected || color.Blue != expected || color.Alpha != 255)
                {
                    Assert.Fail($"pixel ({x},{y}): expected gray {expected}, got {color}");
                }
            }
        }

        return png;
    }

    /// <summary>Parses the chunk list, asserting the signature and every chunk's CRC (bitwise CRC-32).</summary>
    private static List<(string Type, byte[] Data)> ReadChunks(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(PngSignature), "bad PNG signature");
        var chunks = new List<(string, byte[])>();
        int pos = 8;
        while (pos < png.Length)
        {
            Assert.True(pos + 12 <= png.Length, "truncated chunk header");
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            Assert.InRange(length, 0, png.Length - pos - 12);
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            byte[] data = png.AsSpan(pos + 8, length).ToArray();
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            uint actualCrc = ImagingTestHelpers.BitwiseCrc32(png.AsSpan(pos + 4, length + 4));
            Assert.True(storedCrc == actualCrc, $"CRC mismatch in {type} chunk at {pos}: {storedCrc:X8} vs {actualCrc:X8}");
            chunks.Add((type, data));
            pos += 12 + length;
            if (type == "IEND")
            {
                break;
            }
        }

        Assert.Equal(png.Length, pos);
        Assert.Equal("IEND", chunks[^1].Item1);
        return chunks;
    }
}
