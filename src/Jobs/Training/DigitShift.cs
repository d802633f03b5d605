using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>Whole-pixel translations of digit batches, for consistency regularisation (<see cref="DigitGan.Shared.Runs.RunSpec.ConsistencyWeight"/>).</summary>
public static class DigitShift
{
    /// <summary>
    /// Moves each image of <paramref name="images"/> ([N, 1, H, W] in [-1, 1]) by its own offset of
    /// -<paramref name="maxShift"/> to +<paramref name="maxShift"/> pixels along each axis, drawn from
    /// <paramref name="random"/>. Pixels moved in from outside are background (-1); nothing wraps around, so a stroke
    /// near the edge of a generated digit is cut, not moved to the other side.
    /// </summary>
    public static Tensor Shift(Tensor images, int maxShift, torch.Generator random)
    {
        var (count, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        using var offsets = randint(0, (2 * maxShift) + 1, [count, 2], dtype: ScalarType.Int64, generator: random, device: images.device);
        var at = offsets.cpu().data<long>().ToArray();
        using var padded = nn.functional.pad(images, [maxShift, maxShift, maxShift, maxShift], PaddingModes.Constant, -1);
        var moved = new Tensor[count];
        for (var i = 0; i < count; i++)
        {
            // Cropping the padded image at (row, column) moves the digit by (maxShift - row, maxShift - column).
            moved[i] = padded.narrow(0, i, 1).narrow(2, at[2 * i], height).narrow(3, at[(2 * i) + 1], width);
        }

        return cat(moved);
    }
}
