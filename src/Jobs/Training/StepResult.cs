namespace DigitGan.Jobs.Training;

/// <summary>Losses and discriminator outputs of one step, read back to the host.</summary>
public readonly record struct StepResult(double DLoss, double GLoss, double DReal, double DFake);
