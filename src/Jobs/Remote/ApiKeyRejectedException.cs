namespace DigitGan.Jobs.Remote;

/// <summary>The web app refused the API key (401): a usage error, like a bad flag.</summary>
public sealed class ApiKeyRejectedException(string message) : Exception(message);
