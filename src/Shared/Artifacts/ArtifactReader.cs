namespace DigitGan.Shared.Artifacts;

/// <summary>An open artifact: its content stream and the ETag it had when opened.</summary>
public sealed class ArtifactReader(Stream content, ArtifactInfo info) : IAsyncDisposable, IDisposable
{
    public Stream Content { get; } = content;
    public ArtifactInfo Info { get; } = info;
    public ValueTask DisposeAsync() => Content.DisposeAsync();
    public void Dispose() => Content.Dispose();
}
