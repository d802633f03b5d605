using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace DigitGan.Web.Apis;

/// <summary>The per-client submit rate limit of POST /api/runs: a token bucket per signed-in user and address, 429 with Retry-After above it.</summary>
public static class SubmitRateLimit
{
    public const string Policy = "submit";

    public static IServiceCollection AddSubmitRateLimit(this IServiceCollection services, LimitsOptions limits)
    {
        var burst = Math.Max(1, limits.SubmitBurst);
        var period = TimeSpan.FromMinutes(1) / Math.Max(1, limits.SubmitsPerMinute);
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, context => RateLimitPartition.GetTokenBucketLimiter(ClientOf(context), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : period;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problems = rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many submits",
                        Detail = string.Create(CultureInfo.InvariantCulture,
                            $"This client sent more than {burst} submits at once or {limits.SubmitsPerMinute} a minute (DigitGan:Limits); submit again in {seconds} s."),
                    },
                }).ConfigureAwait(false);
            };
        });
    }

    // The signed-in user and the address it calls from: one bucket per client, shared by nobody else.
    private static string ClientOf(HttpContext context)
        => $"{context.User.Identity?.Name ?? "anonymous"}|{context.Connection.RemoteIpAddress}";
}
