using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>Stand-in data and steps for tests of <see cref="DcganTrainer"/> that need trained weights, not digits.</summary>
internal static class TrainerSteps
{
    /// <summary>A batch of the spec's size of uniform noise in [-1, 1], the same for the same seed.</summary>
    public static Tensor Batch(RunSpec spec, ulong seed)
    {
        using var generator = new TorchSharp.torch.Generator(seed);
        return rand([spec.BatchSize, 1, 28, 28], generator: generator).mul(2).sub(1);
    }

    /// <summary>Whether two modules hold the same state (parameters and buffers), bit for bit.</summary>
    public static bool SameState(nn.Module a, nn.Module b)
    {
        var left = a.state_dict().ToList();
        var right = b.state_dict().ToList();
        return left.Count == right.Count && left.Zip(right).All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.eq(pair.Second.Value).all().item<bool>());
    }

    /// <summary>Trains <paramref name="count"/> steps on the same batch.</summary>
    public static void Steps(DcganTrainer trainer, Tensor real, int count)
    {
        for (var i = 0; i < count; i++)
        {
            trainer.Step(real);
        }
    }
}
