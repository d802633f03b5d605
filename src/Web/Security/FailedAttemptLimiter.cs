using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Security;

/// <summary>
/// Counts failed sign-ins and wrong API keys per client address with ASP.NET Core's rate limiter: past the
/// budget, that client gets 429 with Retry-After until its window ends, so keys cannot be guessed at speed.
/// </summary>
public sealed class FailedAttemptLimiter : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedAttemptLimiter(IOptions<AuthOptions> options) => _limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailedAttemptsPerMinute,
            Window = Window,
            QueueLimit = 0,
        }));

    /// <summary>Tells a blocked client when its window ends.</summary>
    public static void SetRetryAfter(HttpResponse response) =>
        response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>True when the client has used up its failed attempts for this window.</summary>
    public bool IsBlocked(HttpContext context) => _limiter.GetStatistics(ClientOf(context)) is { CurrentAvailablePermits: <= 0 };

    public void RecordFailure(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(ClientOf(context));
    }

    public void Dispose() => _limiter.Dispose();
}
