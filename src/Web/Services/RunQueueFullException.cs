namespace DigitGan.Web.Services;

/// <summary>A submit found the queued-runs cap reached: the API answers 429 with Retry-After, the form shows the message.</summary>
public sealed class RunQueueFullException(int cap, int retryAfterSeconds)
    : Exception($"There are already {cap} queued runs, the most this app takes (DigitGan:Limits:MaxQueuedRuns); submit again once some have started, in about {retryAfterSeconds} s.")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
