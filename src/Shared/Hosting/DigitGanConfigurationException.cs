namespace DigitGan.Shared.Hosting;

/// <summary>A setting is wrong; the message names it and says how to fix it.</summary>
public sealed class DigitGanConfigurationException(string message) : Exception(message);
