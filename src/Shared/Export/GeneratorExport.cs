using System.Globalization;
using System.Text.Json;

namespace DigitGan.Shared.Export;

/// <summary>
/// The generator of a DigitGan checkpoint as safetensors, read without TorchSharp (its moving average when the run
/// keeps one, the weights the run samples from): its parameters and BatchNorm
/// buffers (running mean, running variance, batches tracked) under the names of the PyTorch module in docs/export.md,
/// which are the app's own (fc, bn0, ct1, bn1, ct2, bn2, ct3).
/// </summary>
public static class GeneratorExport
{
    /// <summary>The state dict entries of the generator, as the checkpoint holds them and the documented module loads them.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
    [
        "fc.weight",
        "bn0.weight", "bn0.bias", "bn0.running_mean", "bn0.running_var", "bn0.num_batches_tracked",
        "ct1.weight",
        "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
        "ct2.weight",
        "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
        "ct3.weight",
    ];

    /// <summary>The checkpoint's generator (checked: signature, SHA-256, header, the expected tensors) as a safetensors file.</summary>
    public static GeneratorFile FromCheckpoint(byte[] checkpoint, string source)
    {
        using var reader = CheckpointFormat.OpenVerified(checkpoint, source);
        int epoch, noiseDim, clusters = 0;
        var offset = Runs.RunSpec.DefaultLatentClusterOffset;
        string runId;
        bool averaged;
        try
        {
            using var header = JsonDocument.Parse(reader.ReadBytes(reader.ReadInt32()));
            var root = header.RootElement;
            epoch = root.GetProperty("epoch").GetInt32();
            runId = root.GetProperty("runId").GetString() ?? "";
            noiseDim = root.GetProperty("spec").GetProperty("noiseDim").GetInt32();
            if (root.GetProperty("spec").TryGetProperty("latentClusters", out var latent))
            {
                clusters = latent.GetInt32();
            }

            if (root.GetProperty("spec").TryGetProperty("latentClusterOffset", out var centre))
            {
                offset = centre.GetDouble();
            }

            // Format 2 keeps a moving average of the generator right after it when the spec has one (generatorEma):
            // the weights the run samples from, and so the ones exported.
            averaged = root.GetProperty("formatVersion").GetInt32() >= 2
                && root.GetProperty("spec").TryGetProperty("generatorEma", out var ema) && ema.GetDouble() > 0;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{source} has an unreadable header: {ex.Message}", ex);
        }

        var tensors = TorchSharpStateDict.Read(reader, $"{source} (generator)");
        if (averaged)
        {
            tensors = TorchSharpStateDict.Read(reader, $"{source} (generator average)");
        }

        var names = tensors.Select(t => t.Name).ToList();
        if (!names.Order(StringComparer.Ordinal).SequenceEqual(ParameterNames.Order(StringComparer.Ordinal)))
        {
            throw new InvalidDataException($"{source}: the generator holds {string.Join(", ", names)}; the export expects {string.Join(", ", ParameterNames)}.");
        }

        var fc = tensors.Single(t => t.Name == "fc.weight");
        if (fc.Shape is not [7 * 7 * 256, var inputs] || inputs != noiseDim)
        {
            throw new InvalidDataException($"{source}: fc.weight is {string.Join("x", fc.Shape)}, not {7 * 7 * 256}x{noiseDim}.");
        }

        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["module"] = "DcganGenerator (docs/export.md)",
            ["runId"] = runId,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["noiseDim"] = noiseDim.ToString(CultureInfo.InvariantCulture),
            ["weights"] = averaged ? "moving average of the generator (the run samples from it)" : "the trained generator",
        };
        if (clusters > 0)
        {
            // The prior the generator was trained on (RunSpec.LatentClusters): standard normal noise plus
            // latentClusterOffset on one of the first latentClusters axes, chosen uniformly per vector.
            metadata["latentClusters"] = clusters.ToString(CultureInfo.InvariantCulture);
            metadata["latentClusterOffset"] = offset.ToString(CultureInfo.InvariantCulture);
        }

        var ordered = ParameterNames.Select(name => tensors.Single(t => t.Name == name)).ToList();
        return new GeneratorFile(epoch, noiseDim, SafeTensorsWriter.Write(ordered, metadata));
    }
}
