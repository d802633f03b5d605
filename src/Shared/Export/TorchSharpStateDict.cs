namespace DigitGan.Shared.Export;

/// <summary>
/// Reads a state dict in TorchSharp's own format (what Module.save writes): a LEB128 count, then per entry its name
/// (a .NET BinaryWriter string) and its tensor: LEB128 scalar type, LEB128 rank, LEB128 sizes, then the raw
/// little-endian bytes of the contiguous tensor.
/// </summary>
public static class TorchSharpStateDict
{
    // TorchSharp's ScalarType codes (libtorch's c10::ScalarType) of the types a model state holds, and their sizes.
    private static readonly Dictionary<long, (string DType, int Size)> Types = new()
    {
        [0] = ("U8", 1),
        [1] = ("I8", 1),
        [2] = ("I16", 2),
        [3] = ("I32", 4),
        [4] = ("I64", 8),
        [5] = ("F16", 2),
        [6] = ("F32", 4),
        [7] = ("F64", 8),
        [11] = ("BOOL", 1),
        [15] = ("BF16", 2),
    };

    private const int MaxEntries = 10_000;
    private const int MaxRank = 16;

    public static IReadOnlyList<StoredTensor> Read(BinaryReader reader, string source)
    {
        try
        {
            var count = Leb128(reader);
            if (count is < 0 or > MaxEntries)
            {
                throw new InvalidDataException($"{source}: a state dict of {count} entries is not plausible.");
            }

            var tensors = new List<StoredTensor>((int)count);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var code = Leb128(reader);
                if (!Types.TryGetValue(code, out var type))
                {
                    throw new InvalidDataException($"{source}: tensor '{name}' has scalar type {code}, which the export does not handle.");
                }

                var rank = Leb128(reader);
                if (rank is < 0 or > MaxRank)
                {
                    throw new InvalidDataException($"{source}: tensor '{name}' has rank {rank}.");
                }

                var shape = new long[rank];
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = Leb128(reader);
                }

                var length = checked(shape.Aggregate(1L, (n, s) => n * s) * type.Size);
                if (length > reader.BaseStream.Length - reader.BaseStream.Position)
                {
                    throw new InvalidDataException($"{source}: tensor '{name}' ({string.Join("x", shape)}) runs past the end of the file.");
                }

                tensors.Add(new StoredTensor(name, type.DType, shape, reader.ReadBytes((int)length)));
            }

            return tensors;
        }
        catch (Exception ex) when (ex is EndOfStreamException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the state dict ends early or is malformed ({ex.Message}).", ex);
        }
    }

    private static long Leb128(BinaryReader reader)
    {
        long result = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 63)
            {
                throw new InvalidDataException("A LEB128 number is longer than 64 bits.");
            }

            long b = reader.ReadByte();
            result |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
    }
}
