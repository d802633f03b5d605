namespace DigitGan.Shared.Runs;

/// <summary>
/// Watches a run's step figures and evaluations and says when a health flag fires. Per-step flags fire once when
/// their condition starts to hold and again only after it has cleared.
/// </summary>
public sealed class RunHealthMonitor
{
    public const int DiscriminatorWindow = 200;
    public const double DRealAbove = 0.95;
    public const double DFakeBelow = 0.05;
    public const int MinClasses = 8;
    public const int ClassDrop = 3;

    private readonly Queue<(double Real, double Fake)> window = new();
    private double realSum;
    private double fakeSum;
    private bool discriminatorWinning;
    private int? previousClasses;

    /// <summary>Feeds one step's mean D(real) and D(fake); returns a flag when the discriminator starts winning.</summary>
    public HealthFlag? ObserveStep(int epoch, long globalStep, double dReal, double dFake)
    {
        window.Enqueue((dReal, dFake));
        realSum += dReal;
        fakeSum += dFake;
        if (window.Count > DiscriminatorWindow)
        {
            var (oldReal, oldFake) = window.Dequeue();
            realSum -= oldReal;
            fakeSum -= oldFake;
        }

        if (window.Count < DiscriminatorWindow)
        {
            return null;
        }

        var (meanReal, meanFake) = (realSum / DiscriminatorWindow, fakeSum / DiscriminatorWindow);
        var winning = meanReal > DRealAbove && meanFake < DFakeBelow;
        var fired = winning && !discriminatorWinning;
        discriminatorWinning = winning;
        return fired
            ? new HealthFlag
            {
                Kind = HealthFlagKind.DiscriminatorWins,
                Epoch = epoch,
                GlobalStep = globalStep,
                Detail = FormattableString.Invariant($"Over the last {DiscriminatorWindow} steps mean D(real) was {meanReal:0.000} and mean D(fake) {meanFake:0.000}: the discriminator wins and the generator learns little."),
            }
            : null;
    }

    /// <summary>Feeds one evaluation; returns a flag when too few classes are generated or their count dropped sharply.</summary>
    public HealthFlag? ObserveEvaluation(int epoch, int classesAtLeast5Percent)
    {
        var previous = previousClasses;
        previousClasses = classesAtLeast5Percent;
        string? detail = null;
        if (previous is { } before && before - classesAtLeast5Percent >= ClassDrop)
        {
            detail = $"Classes holding at least 5% of the samples fell from {before} to {classesAtLeast5Percent} since the last evaluation.";
        }
        else if (classesAtLeast5Percent < MinClasses)
        {
            detail = $"Only {classesAtLeast5Percent} of 10 classes hold at least 5% of the samples (fewer than {MinClasses}).";
        }

        return detail is null ? null : new HealthFlag { Kind = HealthFlagKind.ModeCollapse, Epoch = epoch, Detail = detail };
    }
}
