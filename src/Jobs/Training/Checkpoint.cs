using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Export;
using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>
/// One file per checkpoint: a magic line, a JSON header, then in order the generator, its moving average (only when
/// the spec has one), the discriminator, both Adam states (TorchSharp's own binary format, not PyTorch's), the run's
/// generator state and the average's update count (only with an average), followed by a SHA-256 of everything before
/// it, so that a truncated or corrupted download is detected before any tensor is read. Format 2 added the average;
/// format 1 files (no average) read the same.
/// </summary>
public static class Checkpoint
{
    public const int FormatVersion = 2;
    private const int OldestReadableFormat = 1;

    public static byte[] Serialize(DcganTrainer trainer, CheckpointHeader header)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(CheckpointFormat.Magic);
            var json = JsonSerializer.SerializeToUtf8Bytes(header, ArtifactJson.Lines);
            writer.Write(json.Length);
            writer.Write(json);
            trainer.Generator.save(writer);
            trainer.Average?.Generator.save(writer);
            trainer.Discriminator.save(writer);
            trainer.GeneratorOptimizer.save_state_dict(writer);
            trainer.DiscriminatorOptimizer.save_state_dict(writer);
            using var state = trainer.Random.get_state();
            var stateBytes = state.cpu().bytes.ToArray();
            writer.Write(stateBytes.Length);
            writer.Write(stateBytes);
            if (trainer.Average is { } average)
            {
                writer.Write(average.Updates);
            }
        }

        var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(hash);
        return buffer.ToArray();
    }

    /// <summary>Restores every part of the checkpoint into a trainer built from the same spec.</summary>
    public static CheckpointHeader Restore(DcganTrainer trainer, byte[] bytes, string source)
    {
        using var reader = OpenVerified(bytes, source);
        var header = ReadHeader(reader, source);
        if (header.Spec.NoiseDim != trainer.Spec.NoiseDim)
        {
            throw new InvalidDataException($"{source}: the checkpoint's noise dimension is {header.Spec.NoiseDim}, the run's is {trainer.Spec.NoiseDim}.");
        }

        if (HasAverage(header) != (trainer.Average is not null))
        {
            throw new InvalidDataException($"{source}: the checkpoint {(HasAverage(header) ? "has" : "has no")} generator average and the run {(trainer.Average is null ? "has none" : "has one")}; resume it with the spec it was made with.");
        }

        Load(source, "generator", () => trainer.Generator.load(reader));
        if (trainer.Average is { } average)
        {
            Load(source, "generator average", () => average.Generator.load(reader));
        }

        Load(source, "discriminator", () => trainer.Discriminator.load(reader));
        Load(source, "generator optimizer", () => trainer.GeneratorOptimizer.load_state_dict(reader));
        Load(source, "discriminator optimizer", () => trainer.DiscriminatorOptimizer.load_state_dict(reader));
        Load(source, "random generator state", () =>
        {
            var stateBytes = reader.ReadBytes(reader.ReadInt32());
            using var state = tensor(stateBytes, dtype: ScalarType.Byte);
            trainer.Random.set_state(state);
        });
        if (trainer.Average is { } withUpdates)
        {
            Load(source, "generator average's update count", () => withUpdates.Updates = reader.ReadInt64());
        }

        return header;
    }

    /// <summary>
    /// Builds the checkpoint's sampling generator (for sampling and scoring), checking the file first: the moving
    /// average when the run kept one, else the trained weights; in the spec's sampling mode.
    /// </summary>
    public static (CheckpointHeader Header, DcganGenerator Generator) LoadGenerator(byte[] bytes, string source)
    {
        var digits = Read(bytes, source, sampleKeep: null, withRanking: false);
        return (digits.Header, digits.Generator);
    }

    /// <summary>
    /// Builds what draws a checkpoint's digits: its sampling generator (<see cref="LoadGenerator"/>) and, when the
    /// spec ranks samples by the discriminator, the discriminator too. <paramref name="sampleKeep"/> overrides the
    /// spec's <see cref="RunSpec.SampleKeep"/> (the returned header's spec carries the value used).
    /// </summary>
    public static CheckpointDigits LoadDigits(byte[] bytes, string source, double? sampleKeep = null) => Read(bytes, source, sampleKeep, withRanking: true);

    private static CheckpointDigits Read(byte[] bytes, string source, double? sampleKeep, bool withRanking)
    {
        using var reader = OpenVerified(bytes, source);
        var header = ReadHeader(reader, source);
        if (sampleKeep is { } keep)
        {
            header = header with { Spec = header.Spec with { SampleKeep = keep } };
        }

        using var init = new torch.Generator(0);
        var generator = new DcganGenerator(header.Spec.NoiseDim, init) { Sampling = header.Spec.Sampling, Prior = LatentPrior.Of(header.Spec) };
        DcganDiscriminator? discriminator = null;
        try
        {
            Load(source, "generator", () => generator.load(reader));
            if (HasAverage(header))
            {
                Load(source, "generator average", () => generator.load(reader));
            }

            if (withRanking && header.Spec.SampleKeep < 1)
            {
                // Inference mode draws no dropout masks, so the discriminator's dropout generator is never used.
                discriminator = new DcganDiscriminator(init, init, header.Spec.DiscriminatorNorm == DiscriminatorNorm.Spectral);
                Load(source, "discriminator", () => discriminator.load(reader));
                discriminator.eval();
            }
        }
        catch
        {
            generator.Dispose();
            discriminator?.Dispose();
            throw;
        }

        return new CheckpointDigits(header, generator, discriminator);
    }

    /// <summary>A checkpoint file's bytes, and its full path as their source.</summary>
    public static async Task<(byte[] Bytes, string Source)> ReadFileAsync(FileInfo file, CancellationToken cancellationToken)
    {
        return file.Exists
            ? (await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), file.FullName)
            : throw new FileNotFoundException($"Checkpoint file {file.FullName} does not exist.");
    }

    /// <summary>A run's numbered checkpoint of <paramref name="epoch"/> (null: its latest) from the store, and its path as their source.</summary>
    public static async Task<(byte[] Bytes, string Source)> ReadFromStoreAsync(IArtifactStore store, Guid runId, int? epoch, CancellationToken cancellationToken)
    {
        var path = epoch is { } e ? RunArtifactLayout.Checkpoint(runId, e) : RunArtifactLayout.LatestCheckpoint(runId);
        var bytes = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{path} is not in the store at {store.Description}; list the run's checkpoints in {store.Description}/{RunArtifactLayout.CheckpointsPrefix(runId)}.");
        return (bytes, path);
    }

    private static BinaryReader OpenVerified(byte[] bytes, string source) => CheckpointFormat.OpenVerified(bytes, source);

    private static CheckpointHeader ReadHeader(BinaryReader reader, string source)
    {
        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadBytes(reader.ReadInt32()), ArtifactJson.Options)
                ?? throw new InvalidDataException("empty header");
            return header.FormatVersion is < OldestReadableFormat or > FormatVersion
                ? throw new InvalidDataException($"{source} has checkpoint format {header.FormatVersion}; this version of DigitGan reads formats {OldestReadableFormat} to {FormatVersion}.")
                : header;
        }
        catch (Exception ex) when (ex is JsonException or EndOfStreamException)
        {
            throw new InvalidDataException($"{source} has an unreadable header: {ex.Message}", ex);
        }
    }

    private static bool HasAverage(CheckpointHeader header) => header.FormatVersion >= 2 && header.Spec.GeneratorEma > 0;

    private static void Load(string source, string part, Action load)
    {
        try
        {
            load();
        }
        catch (Exception ex) when (ex is not InvalidDataException)
        {
            throw new InvalidDataException($"{source}: the {part} could not be loaded ({ex.Message}); the checkpoint was made by an incompatible model.", ex);
        }
    }
}
