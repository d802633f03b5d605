namespace DigitGan.Shared.Artifacts;

/// <summary>Precondition of a write, in the spirit of HTTP If-Match / If-None-Match: *.</summary>
public sealed record WriteCondition
{
    private WriteCondition(string? ifMatch, bool ifNotExists) => (IfMatchETag, IfNotExists) = (ifMatch, ifNotExists);

    /// <summary>Write only if the artifact's current ETag equals this one.</summary>
    public string? IfMatchETag { get; }

    /// <summary>Write only if the artifact does not exist yet.</summary>
    public bool IfNotExists { get; }

    public static WriteCondition IfMatch(string etag) => new(etag ?? throw new ArgumentNullException(nameof(etag)), false);
    public static WriteCondition IfNoneExists { get; } = new(null, true);
}
