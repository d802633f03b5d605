using DigitGan.Jobs.Tests.Architecture.Fakes.Training;

namespace DigitGan.Jobs.Tests.Architecture.Fakes.Model;

/// <summary>Uses the higher folder only as a generic argument of a field's type.</summary>
public sealed class HoldsTrainers
{
    private readonly List<FakeTrainer> trainers = [];

    public int Count => trainers.Count;
}
