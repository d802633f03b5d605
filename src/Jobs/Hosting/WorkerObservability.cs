using DigitGan.Shared.Health;
using DigitGan.Shared.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Instrumentation.Http;

namespace DigitGan.Jobs.Hosting;

/// <summary>
/// A worker's health probes (when DigitGan:Health:Port is set) and OpenTelemetry: DigitGan's spans and meters (a span
/// per job, per epoch and per evaluation), HttpClient and logs, with the same exporters as the web app.
/// </summary>
public static class WorkerObservability
{
    public const string ServiceName = "digitgan-worker";

    public static HostApplicationBuilder AddWorkerObservability(this HostApplicationBuilder builder)
    {
        var port = WorkerHealthEndpoint.Port(builder.Configuration[WorkerHealthEndpoint.PortSetting]);
        builder.AddDigitGanTelemetry(ServiceName);

        // The cancel watcher reads the run's manifest every second: a span each would bury a run's trace.
        builder.Services.Configure<HttpClientTraceInstrumentationOptions>(http => http.FilterHttpRequestMessage = request =>
            !(request.Method == HttpMethod.Get && request.RequestUri?.AbsolutePath.EndsWith("/manifest.json", StringComparison.Ordinal) == true));
        JobTracingFilter.Register();
        builder.Services.AddDigitGanHealthChecks();
        if (port is { } listenOn)
        {
            builder.Services.AddHostedService(services => new WorkerHealthEndpoint(listenOn, services.GetRequiredService<HealthCheckService>(), services.GetRequiredService<ILogger<WorkerHealthEndpoint>>()));
        }

        return builder;
    }
}
