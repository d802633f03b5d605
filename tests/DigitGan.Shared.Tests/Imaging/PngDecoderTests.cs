using System.Buffers.Binary;
using System.Text;
using DigitGan.Shared.Imaging;
using Xunit;

namespace DigitGan.Shared.Tests.Imaging;

public class PngDecoderTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(37, 23, 2)]
    [InlineData(1, 61, 3)]
    [InlineData(61, 1, 4)]
    [InlineData(458, 458, 5)] // incompressible: several IDAT chunks
    public void DecodeOfEncode_ReturnsTheSameRandomImage(int width, int height, int seed)
    {
        var image = ImagingTestHelpers.RandomImage(width, height, seed);
        AssertRoundTrip(image);
    }

    [Fact]
    public void DecodeOfEncode_ReturnsTheSameSmoothImages()
    {
        // Smooth images make the encoder pick the Sub/Up/Average/Paeth filters, not only None.
        AssertRoundTrip(ImagingTestHelpers.Gradient(97, 31));
        AssertRoundTrip(ImagingTestHelpers.RandomImage(53, 41, 7, maxValueExclusive: 4));
        AssertRoundTrip(new GrayImage(300, 200));
    }

    [Fact]
    public void DecodeOfEncode_ReturnsAnAllWhiteImage()
    {
        var pixels = new byte[458 * 458];
        Array.Fill(pixels, (byte)255);
        var decoded = AssertRoundTrip(new GrayImage(458, 458, pixels));
        Assert.All(decoded.Pixels, p => Assert.Equal(255, p));
    }

    [Fact]
    public void NonPng_Throws()
    {
        Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(Encoding.ASCII.GetBytes("GIF89a definitely not a png"), "x.gif"));
        Assert.Throws<InvalidDataException>(() => PngDecoder.Decode([], "empty.png"));
        var ex = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode([0x89, 0x50, 0x4E], "short.png"));
        Assert.Contains("short.png", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.1)]
    [InlineData(0.99)]
    public void TruncatedPng_Throws(double keep)
    {
        var png = PngEncoder.Encode(ImagingTestHelpers.RandomImage(100, 80, 9));
        var cut = png[..(int)(png.Length * keep)];

        var ex = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(cut, "cut.png"));
        Assert.Contains("cut.png", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PngWithoutIend_Throws()
    {
        var png = PngEncoder.Encode(ImagingTestHelpers.RandomImage(10, 10, 3));
        Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png[..^12], "no-iend.png"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(-1)] // last byte of the IDAT data
    public void PngWithFlippedByteInIdat_Throws(int indexInData)
    {
        var png = PngEncoder.Encode(ImagingTestHelpers.RandomImage(60, 50, 4));
        var (dataStart, dataLength) = FindChunk(png, "IDAT");
        var index = indexInData >= 0 ? dataStart + indexInData : dataStart + dataLength - 1;
        png[index] ^= 0x10;

        var ex = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png, "flipped.png"));
        Assert.Contains("flipped.png", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PngWithDamagedDeflateStreamButValidCrc_Throws()
    {
        // Cut the zlib data down to its 2-byte header and fix length and CRC: the chunk checks pass, the decompressor must notice.
        var png = PngEncoder.Encode(ImagingTestHelpers.RandomImage(60, 50, 4));
        var (dataStart, dataLength) = FindChunk(png, "IDAT");
        png = png[..(dataStart + 2)].Concat(png[(dataStart + dataLength)..]).ToArray(); // keep only the zlib header
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(dataStart - 8), 2);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(dataStart + 2), ImagingTestHelpers.BitwiseCrc32(png.AsSpan(dataStart - 4, 6)));

        Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png, "damaged.png"));
    }

    private static GrayImage AssertRoundTrip(GrayImage image)
    {
        var decoded = PngDecoder.Decode(PngEncoder.Encode(image), "roundtrip.png");
        Assert.Equal(image.Width, decoded.Width);
        Assert.Equal(image.Height, decoded.Height);
        Assert.Equal(image.Pixels, decoded.Pixels);
        return decoded;
    }

    private static (int DataStart, int DataLength) FindChunk(byte[] png, string type)
    {
        var offset = 8;
        while (offset + 8 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (Encoding.ASCII.GetString(png, offset + 4, 4) == type)
            {
                return (offset + 8, length);
            }

            offset += 12 + length;
        }

        throw new InvalidOperationException($"No {type} chunk.");
    }
}
