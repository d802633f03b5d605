using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

public sealed class RunHealthTests
{
    [Fact]
    public void DiscriminatorWins_FiresWhenThe200StepMeansCrossTheThresholds_OnceUntilItClears()
    {
        var monitor = new RunHealthMonitor();
        for (var step = 1; step <= 199; step++)
        {
            Assert.Null(monitor.ObserveStep(1, step, 0.99, 0.01));
        }

        var flag = monitor.ObserveStep(2, 200, 0.99, 0.01);
        Assert.NotNull(flag);
        Assert.Equal((HealthFlagKind.DiscriminatorWins, 2, (long?)200), (flag.Kind, flag.Epoch, flag.GlobalStep));
        Assert.Contains("0.990", flag.Detail, StringComparison.Ordinal);

        // Still winning: no second flag. Balanced steps pull the window's means back, clearing it.
        Assert.Null(monitor.ObserveStep(2, 201, 0.99, 0.01));
        var cleared = Enumerable.Range(202, 200).Select(s => monitor.ObserveStep(3, s, 0.5, 0.5)).ToList();
        Assert.All(cleared, Assert.Null);

        // Winning again fires again, once the window's means cross: with k winning steps among 200 balanced ones,
        // mean D(real) = (0.99k + 0.5(200 - k)) / 200 > 0.95 first holds at k = 184, i.e. step 402 + 183.
        var again = Enumerable.Range(402, 200).Select(s => monitor.ObserveStep(4, s, 0.99, 0.01)).Where(f => f is not null).ToList();
        Assert.Equal(585, Assert.Single(again)!.GlobalStep);
    }

    [Fact]
    public void DiscriminatorWins_UsesTheWindowMean_NotSingleSteps()
    {
        var monitor = new RunHealthMonitor();
        for (var step = 1; step <= 400; step++)
        {
            // Alternating 1.0 / 0.85 gives a mean D(real) of 0.925: not above 0.95.
            Assert.Null(monitor.ObserveStep(1, step, step % 2 == 0 ? 1.0 : 0.85, 0.0));
        }
    }

    [Theory]
    [InlineData(10, 8, false)]
    [InlineData(9, 7, true)]
    [InlineData(5, 5, true)]
    public void ModeCollapse_FiresBelow8ClassesOrOnADropOf3(int first, int second, bool fires)
    {
        var monitor = new RunHealthMonitor();
        Assert.Equal(first < 8, monitor.ObserveEvaluation(1, first) is not null);
        var flag = monitor.ObserveEvaluation(2, second);
        Assert.Equal(fires, flag is not null);
        if (flag is not null)
        {
            Assert.Equal((HealthFlagKind.ModeCollapse, 2, (long?)null), (flag.Kind, flag.Epoch, flag.GlobalStep));
        }
    }

    [Fact]
    public void ModeCollapse_NamesTheDropWhenTheClassCountFallsBy3()
    {
        var monitor = new RunHealthMonitor();
        monitor.ObserveEvaluation(1, 7);
        var flag = monitor.ObserveEvaluation(2, 4);
        Assert.Contains("fell from 7 to 4", flag!.Detail, StringComparison.Ordinal);
    }
}
