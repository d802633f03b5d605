namespace DigitGan.Shared.Export;

/// <summary>An exported generator: the checkpoint's epoch and noise dimension, and the safetensors bytes.</summary>
public sealed record GeneratorFile(int Epoch, int NoiseDim, byte[] SafeTensors);
