using System.Diagnostics;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Datasets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DigitGan.Jobs.Evaluation;

/// <summary>
/// Trains the digit classifier deterministically (own generators for init, shuffling, augmentation and dropout) on
/// the 60,000 training digits and measures it on the test set. Augmentation (<see cref="Recipe"/>): each quarter of a
/// batch is shifted by up to 2 pixels and rotated by up to 10 degrees, and half of the images get Gaussian pixel
/// noise of a random strength up to 0.3 (in the [-1, 1] scale). Without it, blotchy generated digits, which look like
/// no training digit, were lumped into one or two classes with high confidence.
/// </summary>
public static class ClassifierTraining
{
    /// <summary>The training recipe's name, kept in the classifier's manifest: a cached classifier of another recipe is retrained.</summary>
    public const string Recipe = "shift2-rotate10-noise0.3";

    public const int DefaultEpochs = 5;
    public const long DefaultSeed = 20_151_119;
    public const int BatchSize = 128;
    public const double LearningRate = 1e-3;
    private const int MaxShift = 2;
    private const int ShiftGroups = 4;
    private const double MaxRotationDegrees = 10;
    private const double MaxNoise = 0.3;

    public static DigitClassifier Train(MnistSplit train, int epochs, long seed, Device device, Action<int, double, double>? epochDone = null)
    {
        using var init = new torch.Generator(RunSeeds.Derive(seed, RunSeeds.Initialization));
        var random = new torch.Generator(RunSeeds.Derive(seed, RunSeeds.Training), device);
        var model = new DigitClassifier(init, random);
        model.to(device);
        using var images = ImageTensors.ToTensor(train.Images, train.Images.Count, device);
        using var labels = tensor(train.Labels, dtype: ScalarType.Int64).to(device);
        var count = images.shape[0];
        using var optimizer = optim.Adam(model.parameters(), lr: LearningRate, beta1: 0.9, beta2: 0.999);
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            // Full rate for two epochs, then halved each epoch.
            var rate = LearningRate * Math.Pow(0.5, Math.Max(0, epoch - 2));
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = rate;
            }

            model.train();
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            var steps = 0;
            using var order = randperm(count, device: device, generator: random);
            for (long start = 0; start + 1 < count; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(BatchSize, count - start));
                var batch = Augment(images.index_select(0, index), random, device);
                optimizer.zero_grad();
                var loss = cross_entropy(model.forward(batch), labels.index_select(0, index));
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                steps++;
            }

            epochDone?.Invoke(epoch, lossSum / steps, clock.Elapsed.TotalSeconds);
        }

        model.eval();
        random.Dispose();
        return model;
    }

    /// <summary>Shifts, rotates and adds noise (see the class summary); images stay in [-1, 1] with a -1 background.</summary>
    internal static Tensor Augment(Tensor batch, torch.Generator random, Device device)
    {
        var shifted = Shift(batch, random, device);
        var rotated = Rotate(shifted, random, device);
        var n = rotated.shape[0];
        using var strength = rand([n, 1, 1, 1], generator: random, device: device).mul_(MaxNoise);
        using var noisy = rand([n, 1, 1, 1], generator: random, device: device).lt_(0.5).to(rotated.dtype);
        using var noise = randn(rotated.shape, generator: random, device: device);
        return rotated.add(noise.mul_(strength).mul_(noisy)).clamp_(-1, 1);
    }

    /// <summary>Rotates each quarter of the batch by its own random angle of up to 10 degrees about the centre (bilinear, background filled with -1).</summary>
    private static Tensor Rotate(Tensor batch, torch.Generator random, Device device)
    {
        using var angles = rand([ShiftGroups], generator: random).mul_(2 * MaxRotationDegrees).sub_(MaxRotationDegrees).mul_(Math.PI / 180);
        var radians = angles.data<float>().ToArray();
        var groups = batch.chunk(ShiftGroups);
        var rotated = groups.Select((g, i) =>
        {
            var (cos, sin) = ((float)Math.Cos(radians[i]), (float)Math.Sin(radians[i]));
            using var theta = tensor(new[] { cos, -sin, 0f, sin, cos, 0f }, [1, 2, 3]).to(device).expand(g.shape[0], 2, 3);
            using var grid = nn.functional.affine_grid(theta, [.. g.shape], align_corners: false);
            return nn.functional.grid_sample(g.add(1), grid, align_corners: false).sub_(1); // zero padding in [0, 2] is the -1 background
        }).ToArray();
        return cat(rotated);
    }

    /// <summary>Moves each quarter of the batch by its own random offset of up to 2 pixels (MNIST's 4-pixel margin is background, so rolling equals shifting).</summary>
    private static Tensor Shift(Tensor batch, torch.Generator random, Device device)
    {
        using var offsets = randint(-MaxShift, MaxShift + 1, [ShiftGroups, 2], dtype: ScalarType.Int64, generator: random, device: device);
        var shifts = offsets.cpu().data<long>().ToArray();
        var groups = batch.chunk(ShiftGroups);
        var moved = groups.Select((g, i) => g.roll([shifts[i * 2], shifts[(i * 2) + 1]], [2, 3])).ToArray();
        return cat(moved);
    }

    /// <summary>Share of <paramref name="split"/> the classifier labels correctly.</summary>
    public static double Accuracy(DigitClassifier model, MnistSplit split, Device device)
    {
        using var images = ImageTensors.ToTensor(split.Images, split.Images.Count, device);
        using var noGrad = no_grad();
        model.eval();
        long correct = 0;
        for (long start = 0; start < images.shape[0]; start += 1000)
        {
            using var scope = NewDisposeScope();
            var size = Math.Min(1000, images.shape[0] - start);
            var predicted = model.forward(images.narrow(0, start, size)).argmax(1).cpu().data<long>().ToArray();
            for (var i = 0; i < size; i++)
            {
                correct += predicted[i] == split.Labels[start + i] ? 1 : 0;
            }
        }

        return (double)correct / images.shape[0];
    }
}
