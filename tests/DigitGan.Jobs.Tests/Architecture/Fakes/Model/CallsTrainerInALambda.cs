using DigitGan.Jobs.Tests.Architecture.Fakes.Training;

namespace DigitGan.Jobs.Tests.Architecture.Fakes.Model;

/// <summary>Uses the higher folder only inside a lambda, which the compiler puts in a nested closure type.</summary>
public static class CallsTrainerInALambda
{
    public static Action Later(int times) => () =>
    {
        for (var i = 0; i < times; i++)
        {
            FakeTrainer.Step();
        }
    };
}
