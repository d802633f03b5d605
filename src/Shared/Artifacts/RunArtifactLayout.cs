using System.Globalization;

namespace DigitGan.Shared.Artifacts;

/// <summary>Where each artifact of a run and of the datasets lives in the store (docs/architecture.md, store layout).</summary>
public static class RunArtifactLayout
{
    public const string RunsPrefix = "runs/";
    public const string RunIndex = RunsPrefix + "index.json";
    public const string MnistPrefix = "datasets/mnist/";
    public const string MnistManifest = MnistPrefix + "manifest.json";
    public const string ClassifierPrefix = MnistPrefix + "classifier/";
    public const string ClassifierWeights = ClassifierPrefix + "weights.bin";
    public const string ClassifierManifest = ClassifierPrefix + "manifest.json";

    public static string RunPrefix(Guid runId) => $"{RunsPrefix}{runId:D}/";
    public static string Manifest(Guid runId) => RunPrefix(runId) + "manifest.json";
    public static string Metrics(Guid runId) => RunPrefix(runId) + "metrics.jsonl";
    public static string SamplesPrefix(Guid runId) => RunPrefix(runId) + "samples/";
    public static string Sample(Guid runId, int epoch) => SamplesPrefix(runId) + $"epoch-{Epoch(epoch)}.png";
    public static string Gif(Guid runId) => RunPrefix(runId) + "dcgan.gif";
    public static string CheckpointsPrefix(Guid runId) => RunPrefix(runId) + "checkpoints/";
    public static string LatestCheckpoint(Guid runId) => CheckpointsPrefix(runId) + "latest.ckpt";
    public static string Checkpoint(Guid runId, int epoch) => CheckpointsPrefix(runId) + $"epoch-{Epoch(epoch)}.ckpt";
    public static string Lease(Guid runId) => RunPrefix(runId) + "lease";
    public static string MnistFile(string fileName) => MnistPrefix + fileName;

    /// <summary>The run whose manifest this path is (runs/{id}/manifest.json), or null for any other path.</summary>
    public static Guid? RunIdOfManifest(string path)
    {
        var parts = path.Split('/');
        return parts is ["runs", var id, "manifest.json"] && Guid.TryParseExact(id, "D", out var runId) ? runId : null;
    }

    /// <summary>The run whose folder holds this path (runs/{id}/...), or null for a path outside any run's folder.</summary>
    public static Guid? RunIdOf(string path)
    {
        var parts = path.Split('/');
        return parts.Length > 2 && parts[0] == "runs" && Guid.TryParseExact(parts[1], "D", out var runId) ? runId : null;
    }

    private static string Epoch(int epoch) => epoch.ToString("D4", CultureInfo.InvariantCulture);
}
