namespace DigitGan.Shared.Datasets;

/// <summary>Images of one IDX3 file: Count images of Rows x Columns bytes, row-major, 0 = background.</summary>
public sealed record IdxImages(string Source, int Count, int Rows, int Columns, byte[] Pixels)
{
    public int PixelsPerImage => Rows * Columns;
}
