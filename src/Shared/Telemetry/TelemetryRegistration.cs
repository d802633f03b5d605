using Azure.Monitor.OpenTelemetry.Exporter;
using DigitGan.Shared.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DigitGan.Shared.Telemetry;

/// <summary>
/// OpenTelemetry for the web app and the workers: DigitGan's spans and meters, HttpClient, and logs, exported over
/// OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set and to Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is
/// set (both may be). DigitGan:Telemetry:ConsoleLogs=Json switches the console log to one JSON object a line.
/// </summary>
public static class TelemetryRegistration
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string ConsoleLogsSetting = "DigitGan:Telemetry:ConsoleLogs";

    public static IHostApplicationBuilder AddDigitGanTelemetry(this IHostApplicationBuilder builder, string serviceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        var configuration = builder.Configuration;
        var otlp = OtlpEnabled(configuration);
        var azureMonitor = AzureMonitorConnectionString(configuration);
        if (JsonConsoleLogs(configuration))
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.IncludeScopes = true;
            });
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: CodeVersion.Current, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithTracing(traces =>
            {
                traces.AddSource(DigitGanTelemetry.SourceName).AddHttpClientInstrumentation();
                tracing?.Invoke(traces);
                if (otlp)
                {
                    traces.AddOtlpExporter();
                }

                if (azureMonitor is not null)
                {
                    traces.AddAzureMonitorTraceExporter(o => o.ConnectionString = azureMonitor);
                }
            })
            .WithMetrics(meters =>
            {
                meters.AddMeter(DigitGanTelemetry.MeterName).AddHttpClientInstrumentation();
                metrics?.Invoke(meters);
                if (otlp)
                {
                    meters.AddOtlpExporter();
                }

                if (azureMonitor is not null)
                {
                    meters.AddAzureMonitorMetricExporter(o => o.ConnectionString = azureMonitor);
                }
            })
            .WithLogging(logs =>
            {
                if (otlp)
                {
                    logs.AddOtlpExporter();
                }

                if (azureMonitor is not null)
                {
                    logs.AddAzureMonitorLogExporter(o => o.ConnectionString = azureMonitor);
                }
            }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            });
        return builder;
    }

    /// <summary>Whether traces, metrics and logs go to an OTLP collector; a set endpoint must be an absolute URL.</summary>
    public static bool OtlpEnabled(IConfiguration configuration)
    {
        var endpoint = configuration[OtlpEndpointSetting];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return false;
        }

        return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? true
            : throw new DigitGanConfigurationException($"{OtlpEndpointSetting} is '{endpoint}'; set it to the collector's http(s) URL, e.g. http://localhost:4317, or leave it empty to export nothing over OTLP.");
    }

    /// <summary>The Application Insights connection string, or null when Azure Monitor export is off.</summary>
    public static string? AzureMonitorConnectionString(IConfiguration configuration)
    {
        var value = configuration[AzureMonitorSetting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return value.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase)
            ? value
            : throw new DigitGanConfigurationException($"{AzureMonitorSetting} is set but holds no InstrumentationKey=...; copy the connection string of the Application Insights resource, or leave it empty.");
    }

    /// <summary>Text (the default console format) or Json (one JSON object a line, for log collectors).</summary>
    public static bool JsonConsoleLogs(IConfiguration configuration) => configuration[ConsoleLogsSetting] switch
    {
        null or "" => false,
        var v when v.Equals("Text", StringComparison.OrdinalIgnoreCase) => false,
        var v when v.Equals("Json", StringComparison.OrdinalIgnoreCase) => true,
        var v => throw new DigitGanConfigurationException($"{ConsoleLogsSetting} is '{v}'; use Text (the default) or Json (one JSON object a line)."),
    };
}
