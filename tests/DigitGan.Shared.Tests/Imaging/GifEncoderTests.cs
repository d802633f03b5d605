using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DigitGan.Shared.Imaging;
using SkiaSharp;
using Xunit;

namespace DigitGan.Shared.Tests.Imaging;

public class GifEncoderTests
{
    [Fact]
    public void MultipleRandomFrames_OddSize_RoundTrip()
    {
        GrayImage[] frames =
        [
            ImagingTestHelpers.RandomImage(37, 23, 1),
            ImagingTestHelpers.RandomImage(37, 23, 2),
            ImagingTestHelpers.Gradient(37, 23),
            new GrayImage(37, 23),
        ];
        byte[] gif = Encode(frames, delay: 7, loop: true);

        ParsedGif parsed = StrictParse(gif);
        Assert.True(parsed.HasNetscapeLoop);
        Assert.Equal(frames.Length, parsed.Frames.Count);
        Assert.All(parsed.Delays, d => Assert.Equal(7, d));
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.Equal(frames[i].Pixels, parsed.Frames[i]);
        }

        AssertSkiaDecodes(gif, frames, delay: 7, loop: true);
    }

    [Fact]
    public void NoiseImage_ExercisesClearCodeAnd12BitCodes()
    {
        GrayImage noise = ImagingTestHelpers.RandomImage(200, 200, 42);
        byte[] gif = Encode([noise], delay: 10, loop: true);

        ParsedGif parsed = StrictParse(gif);
        Assert.Equal(noise.Pixels, parsed.Frames[0]);
        Assert.True(parsed.ClearCodes[0] >= 3, $"expected table-full clears, got {parsed.ClearCodes[0]} clear codes");
        Assert.Equal(12, parsed.MaxCodeSizes[0]);

        AssertSkiaDecodes(gif, [noise], delay: 10, loop: true);
    }

    [Fact]
    public void LowEntropyLargeImage_LongStringsAndClears_RoundTrip()
    {
        GrayImage image = ImagingTestHelpers.RandomImage(300, 300, 9, maxValueExclusive: 4);
        byte[] gif = Encode([image, ImagingTestHelpers.Gradient(300, 300)], delay: 3, loop: false);

        ParsedGif parsed = StrictParse(gif);
        Assert.Equal(image.Pixels, parsed.Frames[0]);
        Assert.True(parsed.ClearCodes[0] >= 2);

        AssertSkiaDecodes(gif, [image, ImagingTestHelpers.Gradient(300, 300)], delay: 3, loop: false);
    }

    [Fact]
    public void AllBlack_RoundTripsAndCompresses()
    {
        var black = new GrayImage(300, 300);
        byte[] gif = Encode([black], delay: 0, loop: true);
        Assert.True(gif.Length < 2000, $"all-black GIF is {gif.Length} bytes");

        ParsedGif parsed = StrictParse(gif);
        Assert.Equal(black.Pixels, parsed.Frames[0]);
        AssertSkiaDecodes(gif, [black], delay: 0, loop: true);
    }

    [Fact]
    public void SingleFrame_NoLoop_HasNoNetscapeExtension()
    {
        GrayImage image = ImagingTestHelpers.RandomImage(28, 28, 3);
        byte[] gif = Encode([image], delay: 50, loop: false);

        ParsedGif parsed = StrictParse(gif);
        Assert.False(parsed.HasNetscapeLoop);
        Assert.Single(parsed.Frames);
        Assert.Equal([50], parsed.Delays);
        AssertSkiaDecodes(gif, [image], delay: 50, loop: false);
    }

    [Fact]
    public void EveryLengthUpTo700_RoundTrips()
    {
        // Single-row images of every length cover each code-size boundary at the end of the stream
        // (the EndOfInformation code must be written at the width the decoder expects).
        for (int n = 1; n <= 700; n++)
        {
            GrayImage image = ImagingTestHelpers.RandomImage(n, 1, 1000 + n);
            byte[] gif = Encode([image], delay: 1, loop: false);
            ParsedGif parsed = StrictParse(gif);
            Assert.Equal(image.Pixels, parsed.Frames[0]);
            if (n % 50 == 0 || n is >= 250 and <= 270)
            {
                AssertSkiaDecodes(gif, [image], delay: 1, loop: false);
            }
        }
    }

    [Fact]
    public void Validation()
    {
        using var ms = new MemoryStream();
        Assert.Throws<ArgumentException>(() => GifEncoder.Write(ms, [], 5));
        var ex = Assert.Throws<ArgumentException>(
            () => GifEncoder.Write(ms, [new GrayImage(2, 2), new GrayImage(2, 3)], 5));
        Assert.Contains("same size", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GifEncoder.Write(ms, [new GrayImage(2, 2)], -1));
        Assert.Throws<ArgumentException>(() => GifEncoder.Write(ms, [new GrayImage(2, 2)], 65536));
        Assert.Throws<ArgumentException>(() => GifEncoder.Write(ms, [new GrayImage(65536, 1)], 1));
    }

    private static byte[] Encode(IReadOnlyList<GrayImage> frames, int delay, bool loop)
    {
        using var ms = new MemoryStream();
        GifEncoder.Write(ms, frames, delay, loop);
        return ms.ToArray();
    }

    private static void AssertSkiaDecodes(byte[] gif, IReadOnlyList<GrayImage> frames, int delay, bool loop)
    {
        using var stream = new SKMemoryStream(gif);
        using SKCodec? codec = SKCodec.Create(stream);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Gif, codec.EncodedFormat);
        Assert.Equal(frames[0].Width, codec.Info.Width);
        Assert.Equal(frames[0].Height, codec.Info.Height);
        Assert.Equal(frames.Count, codec.FrameCount);
        if (frames.Count > 1)
        {
            Assert.Equal(loop ? -1 : 0, codec.RepetitionCount);
        }

        SKCodecFrameInfo[] infos = codec.FrameInfo;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames.Count > 1)
            {
                Assert.Equal(delay * 10, infos[i].Duration);
            }

            using var bitmap = new SKBitmap(info);
            SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels(), new SKCodecOptions(i));
            Assert.Equal(SKCodecResult.Success, result);

            GrayImage expected = frames[i];
            for (int y = 0; y < expected.Height; y++)
            {
                for (int x = 0; x < expected.Width; x++)
                {
                    SKColor c = bitmap.GetPixel(x, y);
                    byte e = expected[x, y];
                    if (c.Red != e || c.Green != e || c.Blue != e || c.Alpha != 255)
                    {
                        Assert.Fail($"frame {i} pixel ({x},{y}): expected gray {e}, got {c}");
                    }
                }
            }
        }
    }

    private sealed record ParsedGif(
        bool HasNetscapeLoop,
        List<int> Delays,
        List<byte[]> Frames,
        List<int> ClearCodes,
        List<int> MaxCodeSizes);

    /// <summary>
    /// Strict structural parser plus an exact LZW decoder: code widths must grow exactly as the spec
    /// prescribes, the stream must end with EndOfInformation followed only by zero padding bits.
    /// </summary>
    private static ParsedGif StrictParse(byte[] gif)
    {
        Assert.True(gif.AsSpan(0, 6).SequenceEqual("GIF89a"u8), "bad GIF header");
        int width = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(6));
        int height = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(8));
        Assert.Equal(0xF7, gif[10]);
        for (int i = 0; i < 256; i++)
        {
            Assert.True(gif[13 + (3 * i)] == i && gif[14 + (3 * i)] == i && gif[15 + (3 * i)] == i, $"palette entry {i}");
        }

        var parsed = new ParsedGif(false, [], [], [], []);
        bool loop = false;
        int pos = 13 + 768;
        int? pendingDelay = null;
        while (true)
        {
            byte introducer = gif[pos++];
            if (introducer == 0x3B)
            {
                Assert.Equal(gif.Length, pos);
                break;
            }

            if (introducer == 0x21 && gif[pos] == 0xFF)
            {
                pos++;
                Assert.Equal(11, gif[pos]);
                Assert.True(gif.AsSpan(pos + 1, 11).SequenceEqual("NETSCAPE2.0"u8));
                pos += 12;
                byte[] sub = ReadSubBlocks(gif, ref pos);
                Assert.Equal([1, 0, 0], sub);
                Assert.Empty(parsed.Frames);
                loop = true;
            }
            else if (introducer == 0x21 && gif[pos] == 0xF9)
            {
                pos++;
                Assert.Equal(4, gif[pos]);
                Assert.Null(pendingDelay);
                pendingDelay = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 2));
                Assert.Equal(0, gif[pos + 5]);
                pos += 6;
            }
            else if (introducer == 0x2C)
            {
                Assert.NotNull(pendingDelay);
                parsed.Delays.Add(pendingDelay.Value);
                pendingDelay = null;
                Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos)));
                Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 2)));
                Assert.Equal(width, BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 4)));
                Assert.Equal(height, BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 6)));
                Assert.Equal(0, gif[pos + 8]);
                pos += 9;
                Assert.Equal(8, gif[pos++]);
                byte[] data = ReadSubBlocks(gif, ref pos);
                (byte[] pixels, int clears, int maxBits) = LzwDecode(data, width * height);
                parsed.Frames.Add(pixels);
                parsed.ClearCodes.Add(clears);
                parsed.MaxCodeSizes.Add(maxBits);
            }
            else
            {
                Assert.Fail($"unexpected block 0x{introducer:X2} at {pos - 1}");
            }
        }

        return parsed with { HasNetscapeLoop = loop };
    }

    private static byte[] ReadSubBlocks(byte[] gif, ref int pos)
    {
        var data = new List<byte>();
        while (true)
        {
            int n = gif[pos++];
            if (n == 0)
            {
                return [.. data];
            }

            data.AddRange(gif.AsSpan(pos, n));
            pos += n;
        }
    }

    private static (byte[] Pixels, int Clears, int MaxBits) LzwDecode(byte[] data, int expectedLength)
    {
        const int clear = 256;
        const int end = 257;
        var output = new List<byte>(expectedLength);
        var prefix = new int[4096];
        var suffix = new byte[4096];
        var lengths = new int[4096];
        for (int i = 0; i < 256; i++)
        {
            prefix[i] = -1;
            suffix[i] = (byte)i;
            lengths[i] = 1;
        }

        int codeSize = 9;
        int next = 258;
        int prev = -1;
        int clears = 0;
        int maxBits = 9;
        long bitPos = 0;
        bool sawEnd = false;
        bool first = true;

        while (true)
        {
            Assert.True(bitPos + codeSize <= data.Length * 8L, "LZW data ended before EndOfInformation");
            int code = 0;
            for (int b = 0; b < codeSize; b++, bitPos++)
            {
                code |= ((data[(int)(bitPos >> 3)] >> (int)(bitPos & 7)) & 1) << b;
            }

            if (first)
            {
                Assert.True(code == clear, "stream must start with a Clear code");
                first = false;
            }

            if (code == clear)
            {
                clears++;
                codeSize = 9;
                next = 258;
                prev = -1;
                continue;
            }

            if (code == end)
            {
                sawEnd = true;
                break;
            }

            if (prev == -1)
            {
                Assert.True(code < 256, $"first code after Clear must be a literal, got {code}");
                output.Add((byte)code);
                prev = code;
                continue;
            }

            Assert.True(code <= next, $"code {code} beyond next free {next}");
            Assert.True(next < 4096 || code < next, "table full without Clear");
            int entry = code;
            byte firstByte;
            if (code == next)
            {
                firstByte = FirstByte(prev, prefix, suffix);
            }
            else
            {
                firstByte = FirstByte(code, prefix, suffix);
            }

            if (next < 4096)
            {
                prefix[next] = prev;
                suffix[next] = firstByte;
                lengths[next] = lengths[prev] + 1;
                next++;
                if (next == (1 << codeSize) && codeSize < 12)
                {
                    codeSize++;
                    maxBits = Math.Max(maxBits, codeSize);
                }
            }

            int start = output.Count;
            for (int c = entry; c != -1; c = prefix[c])
            {
                output.Add(suffix[c]);
            }

            output.Reverse(start, output.Count - start);
            prev = code;
        }

        Assert.True(sawEnd);
        Assert.Equal((bitPos + 7) / 8, data.Length); // nothing but padding after EndOfInformation
        if ((bitPos & 7) != 0)
        {
            Assert.Equal(0, data[^1] >> (int)(bitPos & 7)); // padding bits are zero
        }

        Assert.Equal(expectedLength, output.Count);
        return (CollectionsMarshal.AsSpan(output).ToArray(), clears, maxBits);
    }

    private static byte FirstByte(int code, int[] prefix, byte[] suffix)
    {
        while (prefix[code] != -1)
        {
            code = prefix[code];
        }

        return suffix[code];
    }
}
