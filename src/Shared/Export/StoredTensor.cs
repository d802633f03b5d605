namespace DigitGan.Shared.Export;

/// <summary>One named tensor of a state dict: its safetensors dtype (F32, I64, ...), its shape and its little-endian, row-major bytes.</summary>
public sealed record StoredTensor(string Name, string DType, IReadOnlyList<long> Shape, byte[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (count, size) => count * size);
}
