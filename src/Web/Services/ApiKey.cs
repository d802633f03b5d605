using System.Security.Cryptography;
using System.Text;

namespace DigitGan.Web.Services;

/// <summary>
/// The key that write endpoints require (X-Api-Key): from configuration, or generated once and kept in the data
/// folder (api-key, readable by its owner only), so it survives restarts.
/// </summary>
public sealed class ApiKey
{
    public const string Header = "X-Api-Key";

    private readonly byte[] _key;

    private ApiKey(string value, string source)
    {
        Value = value;
        Source = source;
        _key = Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    /// <summary>The first 8 hex digits of the key's SHA-256: enough to tell keys apart in a log, useless for guessing.</summary>
    public string Fingerprint => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(_key))[..8];

    /// <summary>Where the key came from (configuration or the file), for the start-up message.</summary>
    public string Source { get; }

    public static ApiKey Load(string? configured, string dataFolder)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ApiKey(configured.Trim(), "configuration (DigitGan:ApiKey)");
        }

        var path = Path.Combine(dataFolder, "api-key");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            return new ApiKey(stored, path);
        }

        Directory.CreateDirectory(dataFolder);
        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        File.WriteAllText(path, generated + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new ApiKey(generated, path);
    }

    /// <summary>Constant-time comparison, so the time taken does not reveal how much of a guess was right.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _key);
}
