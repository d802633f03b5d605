using System.Text.Json;

namespace DigitGan.Shared.Artifacts;

/// <summary>The one JSON convention of every artifact: camelCase, enums as strings, indented manifests.</summary>
public static class ArtifactJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Single-line form for JSON Lines files.</summary>
    public static JsonSerializerOptions Lines { get; } = new(Options) { WriteIndented = false };
}
