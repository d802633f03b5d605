namespace DigitGan.Shared.Artifacts;

/// <summary>A conditional write lost against a concurrent change.</summary>
public sealed class ArtifactConflictException(string path, string reason)
    : Exception($"Artifact '{path}' was changed concurrently ({reason}); re-read it and try again.")
{
    public string Path { get; } = path;
}
