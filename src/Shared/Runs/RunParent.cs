namespace DigitGan.Shared.Runs;

/// <summary>Where a forked run starts: another run's checkpoint of an epoch ("resume from here").</summary>
public sealed record RunParent(Guid RunId, int Epoch);
