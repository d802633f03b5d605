namespace DigitGan.Shared.Datasets;

/// <summary>One MNIST split, loaded and verified.</summary>
public sealed record MnistSplit(IdxImages Images, byte[] Labels);
