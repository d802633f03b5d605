using DigitGan.Shared.Imaging;
using Xunit;

namespace DigitGan.Shared.Tests.Imaging;

public sealed class SampleGridLayoutTests
{
    [Fact]
    public void Cell_returns_the_digit_drawn_into_the_grid_at_its_own_size()
    {
        var cells = Enumerable.Range(0, SampleGridLayout.Cells).Select(i =>
        {
            var digit = new GrayImage(28, 28);
            for (var p = 0; p < digit.Pixels.Length; p++)
            {
                digit.Pixels[p] = (byte)((p * 7 + i * 13) % 256);
            }

            return digit;
        }).ToList();
        var grid = GrayImage.Grid(cells, SampleGridLayout.Columns, SampleGridLayout.Scale, SampleGridLayout.Gap, SampleGridLayout.GapValue);

        for (var i = 0; i < SampleGridLayout.Cells; i++)
        {
            Assert.Equal(cells[i].Pixels, SampleGridLayout.Cell(grid, i).Pixels);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => SampleGridLayout.Cell(grid, 16));
        Assert.Throws<ArgumentException>(() => SampleGridLayout.Cell(new GrayImage(100, 100), 0));
    }
}
