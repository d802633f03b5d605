using DigitGan.Jobs.Tests.Architecture.Fakes.Training;

namespace DigitGan.Jobs.Tests.Architecture.Fakes.Model;

/// <summary>Uses the higher folder only inside a method body (a static call).</summary>
public static class ReadsTrainerInABody
{
    public static int Read() => FakeTrainer.Steps;
}
