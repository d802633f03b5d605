using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Training;

/// <summary>A run that must not be retried: its losses or weights stopped being finite.</summary>
public sealed class NonFiniteTrainingException(string message, int epoch, long globalStep) : Exception(message)
{
    public HealthFlag Flag { get; } = new() { Kind = HealthFlagKind.NonFinite, Epoch = epoch, GlobalStep = globalStep, Detail = message };
}
