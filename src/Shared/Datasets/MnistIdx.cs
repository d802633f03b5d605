using System.Buffers.Binary;

namespace DigitGan.Shared.Datasets;

/// <summary>
/// Reader for the IDX format of MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian magic number
/// 0x0000TTDD (TT = element type, DD = number of dimensions), DD big-endian int32 sizes, then the data.
/// Every check names the file and what is wrong, so a truncated download or a swapped file is obvious.
/// </summary>
public static class MnistIdx
{
    private const byte UnsignedByteType = 0x08;

    public static IdxImages ParseImages(ReadOnlySpan<byte> data, string source)
    {
        var dims = ParseHeader(data, source, expectedDimensions: 3, "an images file (idx3-ubyte)");
        var (count, rows, columns) = (dims[0], dims[1], dims[2]);
        if (rows != 28 || columns != 28)
        {
            throw new InvalidDataException($"{source}: images are {rows}x{columns}, but MNIST images are 28x28.");
        }

        var pixels = Payload(data, source, 16, (long)count * rows * columns);
        return new IdxImages(source, count, rows, columns, pixels);
    }

    public static byte[] ParseLabels(ReadOnlySpan<byte> data, string source)
    {
        var dims = ParseHeader(data, source, expectedDimensions: 1, "a labels file (idx1-ubyte)");
        var labels = Payload(data, source, 8, dims[0]);
        var bad = Array.FindIndex(labels, l => l > 9);
        return bad >= 0
            ? throw new InvalidDataException($"{source}: label #{bad} is {labels[bad]}, but MNIST labels are 0-9.")
            : labels;
    }

    /// <summary>Checks that images and labels belong together (same count).</summary>
    public static void CheckPair(IdxImages images, byte[] labels, string labelsSource)
    {
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException($"{images.Source} holds {images.Count} images but {labelsSource} holds {labels.Length} labels: the files do not belong together.");
        }
    }

    private static int[] ParseHeader(ReadOnlySpan<byte> data, string source, int expectedDimensions, string expectedKind)
    {
        if (data.Length < 4)
        {
            throw new InvalidDataException($"{source}: file is {data.Length} bytes long, too short for an IDX header; the file is truncated or empty.");
        }

        if (data[0] != 0 || data[1] != 0)
        {
            throw new InvalidDataException($"{source}: not an IDX file (magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(data):X8}; IDX files start with 0x0000). Is it still gzip-compressed?");
        }

        if (data[2] != UnsignedByteType)
        {
            throw new InvalidDataException($"{source}: element type 0x{data[2]:X2} is not unsigned byte (0x08).");
        }

        if (data[3] != expectedDimensions)
        {
            throw new InvalidDataException($"{source}: has {data[3]} dimensions but {expectedKind} has {expectedDimensions}; is it the wrong file?");
        }

        var headerLength = 4 + (4 * expectedDimensions);
        if (data.Length < headerLength)
        {
            throw new InvalidDataException($"{source}: file is {data.Length} bytes long, shorter than its {headerLength}-byte header; the file is truncated.");
        }

        var dims = new int[expectedDimensions];
        for (var i = 0; i < expectedDimensions; i++)
        {
            var value = BinaryPrimitives.ReadInt32BigEndian(data[(4 + (4 * i))..]);
            if (value <= 0)
            {
                throw new InvalidDataException($"{source}: dimension {i} is {value}; sizes must be positive.");
            }

            dims[i] = value;
        }

        return dims;
    }

    private static byte[] Payload(ReadOnlySpan<byte> data, string source, int headerLength, long expected)
    {
        var actual = data.Length - headerLength;
        return actual != expected
            ? throw new InvalidDataException(actual < expected
                ? $"{source}: truncated: the header promises {expected:N0} data bytes but the file has {actual:N0}. Re-run setup to fetch it again."
                : $"{source}: {actual - expected:N0} unexpected bytes after the {expected:N0} data bytes the header promises.")
            : data[headerLength..].ToArray();
    }
}
