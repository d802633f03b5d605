using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Training;

/// <summary>A run that must not be retried: its losses or weights stopped being finite.</summary>
public sealed class NonFiniteTrainingException(string message, HealthFlag flag) : Exception(message)
{
    public HealthFlag Flag { get; } = flag;
}
