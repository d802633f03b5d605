namespace DigitGan.Shared.Imaging;

/// <summary>
/// The geometry of a run's sample grid (samples/epoch-NNNN.png): the 16 fixed-noise digits of the seed notebook,
/// 4 by 4, each 28x28 drawn at 4x, with a 2-pixel grey gap around every cell.
/// </summary>
public static class SampleGridLayout
{
    public const int Columns = 4;
    public const int Cells = 16;
    public const int Scale = 4;
    public const int Gap = 2;
    public const byte GapValue = 128;
    public const int DigitSize = 28;

    /// <summary>Cell <paramref name="index"/> (0-15, row by row) of a grid, at the digit's own 28x28 size.</summary>
    public static GrayImage Cell(GrayImage grid, int index)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Cells);
        const int stride = DigitSize * Scale + Gap;
        if (grid.Width != Columns * stride + Gap)
        {
            throw new ArgumentException($"A sample grid is {Columns * stride + Gap} pixels wide; this image is {grid.Width}.", nameof(grid));
        }

        var cell = new GrayImage(DigitSize, DigitSize);
        int left = Gap + index % Columns * stride, top = Gap + index / Columns * stride;
        for (var y = 0; y < DigitSize; y++)
        {
            for (var x = 0; x < DigitSize; x++)
            {
                cell[x, y] = grid[left + x * Scale, top + y * Scale];
            }
        }

        return cell;
    }
}
