using DigitGan.Shared.Imaging;
using Xunit;

namespace DigitGan.Shared.Tests.Imaging;

public class GrayImageTests
{
    [Fact]
    public void Constructor_ValidatesArguments()
    {
        Assert.Throws<ArgumentException>(() => new GrayImage(0, 5, []));
        Assert.Throws<ArgumentException>(() => new GrayImage(5, -1, []));
        var ex = Assert.Throws<ArgumentException>(() => new GrayImage(3, 2, new byte[5]));
        Assert.Contains("3x2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new GrayImage(1, 1, null!));

        var img = new GrayImage(3, 2, [1, 2, 3, 4, 5, 6]);
        Assert.Equal(3, img.Width);
        Assert.Equal(2, img.Height);
        Assert.Equal(6, img[2, 1]);
        Assert.Equal(4, img[0, 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => img[3, 0]);
    }

    [Fact]
    public void FromSignedUnit_MapsRoundsAndClamps()
    {
        float[] values =
        [
            -1f, 1f, 0f, -2f, 3f, float.NaN,
            float.PositiveInfinity, float.NegativeInfinity, 0.5f, -0.5f, 1f / 127.5f - 1f, 0.999f,
        ];
        GrayImage img = GrayImage.FromSignedUnit(values, 6, 2);
        byte[] expected =
        [
            0, 255, 128, 0, 255, 0,
            255, 0, 191, 64, 1, 255,
        ];

        // 0.5 -> 1.5 * 127.5 = 191.25 -> 191; -0.5 -> 63.75 -> 64; 0 -> 127.5 -> 128 (away from zero).
        Assert.Equal(expected, img.Pixels);
        Assert.Throws<ArgumentException>(() => GrayImage.FromSignedUnit(values, 5, 2));
    }

    [Fact]
    public void Grid_LaysOutScaledCellsWithGaps()
    {
        var a = new GrayImage(2, 3, [10, 11, 12, 13, 14, 15]);
        var b = new GrayImage(2, 3, [20, 21, 22, 23, 24, 25]);
        var c = new GrayImage(2, 3, [30, 31, 32, 33, 34, 35]);
        const int scale = 3;
        const int gap = 2;
        const byte gapValue = 200;

        GrayImage grid = GrayImage.Grid([a, b, c], columns: 2, scale, gap, gapValue);

        // 2 columns, 2 rows (last row half empty).
        Assert.Equal((2 * 2 * scale) + (3 * gap), grid.Width);   // 18
        Assert.Equal((2 * 3 * scale) + (3 * gap), grid.Height);  // 24

        GrayImage[] cells = [a, b, c];
        for (int y = 0; y < grid.Height; y++)
        {
            for (int x = 0; x < grid.Width; x++)
            {
                byte expected = gapValue;
                int col = (x - gap) / ((2 * scale) + gap);
                int row = (y - gap) / ((3 * scale) + gap);
                int lx = (x - gap) % ((2 * scale) + gap);
                int ly = (y - gap) % ((3 * scale) + gap);
                int index = (row * 2) + col;
                if (x >= gap && y >= gap && lx < 2 * scale && ly < 3 * scale && index < cells.Length)
                {
                    expected = cells[index][lx / scale, ly / scale];
                }

                Assert.True(expected == grid[x, y], $"pixel ({x},{y}): expected {expected}, got {grid[x, y]}");
            }
        }

        // Spot checks of specific positions.
        Assert.Equal(gapValue, grid[0, 0]);
        Assert.Equal(10, grid[2, 2]);                 // top-left of a
        Assert.Equal(10, grid[4, 4]);                 // still a(0,0) after replication
        Assert.Equal(11, grid[5, 2]);                 // a(1,0)
        Assert.Equal(15, grid[7, 10]);                // a(1,2) bottom-right
        Assert.Equal(gapValue, grid[8, 2]);           // gap between columns
        Assert.Equal(20, grid[10, 2]);                // b(0,0)
        Assert.Equal(gapValue, grid[2, 11]);          // gap between rows
        Assert.Equal(30, grid[2, 13]);                // c(0,0)
        Assert.Equal(gapValue, grid[10, 13]);         // empty cell
        Assert.Equal(gapValue, grid[17, 23]);         // border
    }

    [Fact]
    public void Grid_NoGapScaleOne_IsConcatenation()
    {
        var a = new GrayImage(1, 1, [1]);
        var b = new GrayImage(1, 1, [2]);
        GrayImage grid = GrayImage.Grid([a, b], columns: 2, scale: 1, gap: 0);
        Assert.Equal(2, grid.Width);
        Assert.Equal(1, grid.Height);
        Assert.Equal([1, 2], grid.Pixels);
    }

    [Fact]
    public void Grid_ValidatesArguments()
    {
        var a = new GrayImage(2, 2);
        var b = new GrayImage(3, 2);
        var ex = Assert.Throws<ArgumentException>(() => GrayImage.Grid([a, b], 2, 1, 0));
        Assert.Contains("same size", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GrayImage.Grid([], 2, 1, 0));
        Assert.Throws<ArgumentException>(() => GrayImage.Grid([a], 0, 1, 0));
        Assert.Throws<ArgumentException>(() => GrayImage.Grid([a], 1, 0, 0));
        Assert.Throws<ArgumentException>(() => GrayImage.Grid([a], 1, 1, -1));
    }
}
