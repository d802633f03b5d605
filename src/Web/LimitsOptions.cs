namespace DigitGan.Web;

/// <summary>The "DigitGan:Limits" section: how much the app takes in (docs/limits.md lists every limit).</summary>
public sealed class LimitsOptions
{
    /// <summary>Runs waiting in the queue at most; a submit above it is a 429 with Retry-After.</summary>
    public int MaxQueuedRuns { get; set; } = 1_000;

    /// <summary>Submits a client may send at once (the token bucket's size) before the rate limit applies.</summary>
    public int SubmitBurst { get; set; } = 20;

    /// <summary>Submits a client may send per minute once its burst is spent.</summary>
    public int SubmitsPerMinute { get; set; } = 60;

    /// <summary>The largest request body any endpoint reads, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest run spec POST /api/runs reads, in bytes (a spec at every limit, every character escaped, is under 64 KB).</summary>
    public int MaxSpecBytes { get; set; } = 128 * 1024;

    /// <summary>What a 429 for a full queue asks the client to wait, in seconds.</summary>
    public int QueueFullRetryAfterSeconds { get; set; } = 30;
}
