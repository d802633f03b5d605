using DigitGan.Shared.Telemetry;
using DigitGan.Web.Services;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DigitGan.Web;

/// <summary>
/// The web app's OpenTelemetry: ASP.NET Core requests on top of what it shares with the workers (DigitGan's spans
/// and meters, HttpClient, logs, the exporters), the trace context carried into each enqueued job, and the queue
/// and run gauges.
/// </summary>
public static class TelemetryExtensions
{
    public const string ServiceName = "digitgan-web";

    public static WebApplicationBuilder AddDigitGanTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddDigitGanTelemetry(ServiceName,
            traces => traces.AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)),
            meters => meters.AddAspNetCoreInstrumentation());
        JobTracingFilter.Register();
        builder.Services.AddHostedService<RunMetricsSampler>();
        return builder;
    }
}
