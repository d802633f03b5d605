using DigitGan.Shared.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Web;

/// <summary>
/// /health/live (the process answers: no checks) and /health/ready (store, queue, MNIST and the classifier verified;
/// 503 naming the failing check otherwise), open to probes without the API key or a sign-in.
/// </summary>
public static class HealthExtensions
{
    public static IServiceCollection AddDigitGanHealth(this IServiceCollection services) => services.AddDigitGanHealthChecks();

    public static WebApplication MapDigitGanHealth(this WebApplication app)
    {
        app.MapHealthChecks(HealthRegistration.LivePath, Options(_ => false)).AllowAnonymous().DisableHttpMetrics();
        app.MapHealthChecks(HealthRegistration.ReadyPath, Options(HealthRegistration.IsReadinessCheck)).AllowAnonymous().DisableHttpMetrics();
        return app;
    }

    private static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
        ResponseWriter = async (context, report) =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.Body.WriteAsync(HealthReportJson.Serialize(report), context.RequestAborted).ConfigureAwait(false);
        },
    };
}
