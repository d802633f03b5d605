using DigitGan.Jobs.Tests.Architecture.Fakes.Training;

namespace DigitGan.Jobs.Tests.Architecture.Fakes.Model;

/// <summary>Uses the higher folder only as its base type.</summary>
public sealed class ExtendsTrainer : FakeTrainer;
