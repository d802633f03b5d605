using System.Text;
using System.Text.Json;

namespace DigitGan.Shared.Artifacts;

/// <summary>Whole-artifact reads and writes over any store: bytes, UTF-8 text and JSON, with ETags for conditional writes.</summary>
public static class ArtifactStoreExtensions
{
    public static async Task<bool> ExistsAsync(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
        => await store.GetInfoAsync(path, cancellationToken).ConfigureAwait(false) is not null;

    public static async Task<string> PutBytesAsync(this IArtifactStore store, string path, ReadOnlyMemory<byte> bytes, WriteCondition? condition = null, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return await store.PutAsync(path, stream, condition, cancellationToken).ConfigureAwait(false);
    }

    public static Task<string> PutTextAsync(this IArtifactStore store, string path, string text, WriteCondition? condition = null, CancellationToken cancellationToken = default)
        => store.PutBytesAsync(path, Encoding.UTF8.GetBytes(text), condition, cancellationToken);

    public static async Task AppendTextAsync(this IArtifactStore store, string path, string text, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
        await store.AppendAsync(path, stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a whole artifact into memory (checkpoints, grids, dataset files); null when absent.</summary>
    public static async Task<byte[]?> GetBytesAsync(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        var reader = await store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (reader is null)
        {
            return null;
        }

        await using (reader.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream(checked((int)Math.Max(reader.Info.Length, 0)));
            await reader.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Reads a small text artifact (manifests, metrics); null when absent.</summary>
    public static async Task<(string Text, string ETag)?> GetTextAsync(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        var reader = await store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (reader is null)
        {
            return null;
        }

        await using (reader.ConfigureAwait(false))
        {
            using var text = new StreamReader(reader.Content, Encoding.UTF8);
            return (await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false), reader.Info.ETag);
        }
    }

    public static async Task<(T Value, string ETag)?> GetJsonAsync<T>(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        var text = await store.GetTextAsync(path, cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return null;
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(text.Value.Text, ArtifactJson.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Artifact '{path}' is not valid JSON for {typeof(T).Name}: {ex.Message}", ex);
        }

        return value is null
            ? throw new InvalidDataException($"Artifact '{path}' holds JSON null where {typeof(T).Name} was expected.")
            : (value, text.Value.ETag);
    }

    public static Task<string> PutJsonAsync<T>(this IArtifactStore store, string path, T value, WriteCondition? condition = null, CancellationToken cancellationToken = default)
        => store.PutBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(value, ArtifactJson.Options), condition, cancellationToken);
}
