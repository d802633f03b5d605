namespace DigitGan.Shared.Artifacts;

/// <summary>Validates store paths: relative, '/'-separated, no empty, '.' or '..' segments (the blob-name rules we rely on).</summary>
public static class ArtifactPath
{
    public static string Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("An artifact path must not be empty.", nameof(path));
        }

        if (path.StartsWith('/') || path.Contains('\\') || path.Contains('\0'))
        {
            throw new ArgumentException($"Artifact path '{path}' must be relative and use '/' separators.", nameof(path));
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or ".." || segment.StartsWith(".tmp", StringComparison.Ordinal) || segment.StartsWith(".lock", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Artifact path '{path}' has an invalid segment '{segment}'.", nameof(path));
            }
        }

        return path;
    }
}
