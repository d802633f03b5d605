using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Shared.Health;

/// <summary>A health report as the probes' body: the overall status and each check's status and reason, as JSON.</summary>
public static class HealthReportJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>200 for Healthy and Degraded, 503 for Unhealthy (what Container Apps probes and load balancers read).</summary>
    public static int StatusCode(HealthReport report) => report.Status == HealthStatus.Unhealthy ? 503 : 200;

    public static byte[] Serialize(HealthReport report) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        status = report.Status.ToString(),
        seconds = Math.Round(report.TotalDuration.TotalSeconds, 3),
        checks = report.Entries.Select(e => new
        {
            name = e.Key,
            status = e.Value.Status.ToString(),
            description = e.Value.Description ?? e.Value.Exception?.Message,
            seconds = Math.Round(e.Value.Duration.TotalSeconds, 3),
        }),
    }, Options);
}
