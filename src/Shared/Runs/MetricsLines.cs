using System.Text.Json;
using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Runs;

/// <summary>Reads the lines of metrics.jsonl (one serialized <see cref="MetricsRecord"/> each).</summary>
public static class MetricsLines
{
    public static IEnumerable<string> Split(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string Format(MetricsRecord record) => JsonSerializer.Serialize(record, ArtifactJson.Lines);

    public static MetricsRecord? Parse(string line) => JsonSerializer.Deserialize<MetricsRecord>(line, ArtifactJson.Lines);

    /// <summary>The lines of epochs up to and including <paramref name="epoch"/>: what a resume or a fork keeps.</summary>
    public static List<string> UpToEpoch(string text, int epoch) => [.. Split(text).Where(line => Parse(line) is { } record && record.Epoch <= epoch)];
}
