namespace DigitGan.Jobs.Tests.Architecture.Fakes.Training;

/// <summary>A type of a higher folder, for the fakes in Fakes/Model to use the ways real code could.</summary>
public class FakeTrainer
{
    public static int Steps { get; set; }

    public static void Step() => Steps++;
}
