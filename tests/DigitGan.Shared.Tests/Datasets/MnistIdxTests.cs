using System.Buffers.Binary;
using DigitGan.Shared.Datasets;
using Xunit;

namespace DigitGan.Shared.Tests.Datasets;

public sealed class MnistIdxTests
{
    private const string Source = "some-dir/test-images-file";

    /// <summary>Builds an IDX file: big-endian magic 0x0000TTDD, one big-endian int32 per dimension, then the payload.</summary>
    internal static byte[] Idx(int[] dims, byte[] payload, byte elementType = 0x08)
    {
        var bytes = new byte[4 + (4 * dims.Length) + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)((elementType << 8) | dims.Length));
        for (var i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        }

        payload.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    internal static byte[] ImagesFile(int count, int rows = 28, int columns = 28, int extraPayload = 0)
    {
        var payload = new byte[Math.Max(0, (count * rows * columns) + extraPayload)];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)((i * 31) + (i / 784));
        }

        return Idx([count, rows, columns], payload);
    }

    internal static byte[] LabelsFile(params byte[] labels) => Idx([labels.Length], labels);

    [Fact]
    public void ValidImagesFile_Parses()
    {
        var file = ImagesFile(3);
        Assert.Equal(0x00000803u, BinaryPrimitives.ReadUInt32BigEndian(file)); // the helper writes the real MNIST magic

        var images = MnistIdx.ParseImages(file, Source);

        Assert.Equal(Source, images.Source);
        Assert.Equal(3, images.Count);
        Assert.Equal(28, images.Rows);
        Assert.Equal(28, images.Columns);
        Assert.Equal(784, images.PixelsPerImage);
        Assert.Equal(3 * 784, images.Pixels.Length);
        Assert.Equal(file.AsSpan(16).ToArray(), images.Pixels);
        Assert.Equal(unchecked((byte)((784 * 31) + 1)), images.Pixels[784]); // first pixel of image #1
    }

    [Fact]
    public void ValidLabelsFile_Parses()
    {
        var file = LabelsFile(7, 0, 9);
        Assert.Equal(0x00000801u, BinaryPrimitives.ReadUInt32BigEndian(file));

        var labels = MnistIdx.ParseLabels(file, "labels-file");

        Assert.Equal([7, 0, 9], labels);
    }

    public static TheoryData<string, byte[], string[]> BadImagesFiles => new()
    {
        { "empty", [], ["empty"] },
        { "three bytes", [0, 0, 8], ["truncated"] },
        { "gzip", [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0], ["gzip"] },
        { "element type", Idx([1, 28, 28], new byte[784], elementType: 0x0D), ["element type", "0x0D"] },
        { "labels as images", LabelsFile(1, 2, 3), ["dimensions", "wrong file"] },
        { "20x20", ImagesFile(3, rows: 20, columns: 20), ["20x20", "28x28"] },
        { "truncated payload", ImagesFile(3, extraPayload: -10), ["truncated"] },
        { "truncated header", ImagesFile(3)[..10], ["truncated", "header"] },
        { "trailing bytes", ImagesFile(3, extraPayload: 5), ["unexpected", "5"] },
        { "negative count", Idx([-1, 28, 28], []), ["positive", "-1"] },
        { "zero count", Idx([0, 28, 28], []), ["positive"] },
        { "zero rows", Idx([3, 0, 28], []), ["positive"] },
    };

    [Theory]
    [MemberData(nameof(BadImagesFiles))]
    public void BadImagesFile_ThrowsInvalidDataNamingSourceAndProblem(string caseName, byte[] file, string[] expectedWords)
    {
        var ex = Assert.Throws<InvalidDataException>(() => MnistIdx.ParseImages(file, Source));

        Assert.Contains(Source, ex.Message, StringComparison.Ordinal);
        foreach (var word in expectedWords)
        {
            Assert.True(ex.Message.Contains(word, StringComparison.OrdinalIgnoreCase), $"{caseName}: message \"{ex.Message}\" should mention \"{word}\"");
        }
    }

    public static TheoryData<string, byte[], string[]> BadLabelsFiles => new()
    {
        { "empty", [], ["empty"] },
        { "images as labels", ImagesFile(1), ["dimensions"] },
        { "label 10", LabelsFile(1, 2, 10, 3), ["label #2", "10", "0-9"] },
        { "label 255", LabelsFile(255), ["label #0", "255"] },
        { "truncated", Idx([5], [1, 2, 3]), ["truncated"] },
        { "trailing", Idx([2], [1, 2, 3]), ["unexpected"] },
        { "zero count", Idx([0], []), ["positive"] },
        { "gzip", [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0], ["gzip"] },
    };

    [Theory]
    [MemberData(nameof(BadLabelsFiles))]
    public void BadLabelsFile_ThrowsInvalidDataNamingSourceAndProblem(string caseName, byte[] file, string[] expectedWords)
    {
        const string labelsSource = "folder/train-labels-idx1-ubyte";
        var ex = Assert.Throws<InvalidDataException>(() => MnistIdx.ParseLabels(file, labelsSource));

        Assert.Contains(labelsSource, ex.Message, StringComparison.Ordinal);
        foreach (var word in expectedWords)
        {
            Assert.True(ex.Message.Contains(word, StringComparison.OrdinalIgnoreCase), $"{caseName}: message \"{ex.Message}\" should mention \"{word}\"");
        }
    }

    [Fact]
    public void CheckPair_WithMatchingCounts_Passes()
    {
        var images = MnistIdx.ParseImages(ImagesFile(3), "imgs");
        MnistIdx.CheckPair(images, MnistIdx.ParseLabels(LabelsFile(1, 2, 3), "lbls"), "lbls");
    }

    [Fact]
    public void CheckPair_WithMismatchedCounts_ThrowsNamingBothFiles()
    {
        var images = MnistIdx.ParseImages(ImagesFile(3), "dir/t10k-images-idx3-ubyte");
        var labels = MnistIdx.ParseLabels(LabelsFile(1, 2), "dir/train-labels-idx1-ubyte");

        var ex = Assert.Throws<InvalidDataException>(() => MnistIdx.CheckPair(images, labels, "dir/train-labels-idx1-ubyte"));

        Assert.Contains("dir/t10k-images-idx3-ubyte", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dir/train-labels-idx1-ubyte", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2", ex.Message, StringComparison.Ordinal);
    }
}
