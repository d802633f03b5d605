using System.Net;
using DigitGan.Shared.Health;
using DigitGan.Shared.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitGan.Jobs.Hosting;

/// <summary>
/// The worker's probes over HTTP on DigitGan:Health:Port: /health/live (the process answers) and /health/ready (the
/// web app's readiness checks). HttpListener, not Kestrel: the worker image has the .NET runtime only, no ASP.NET
/// Core, and two GET routes need no more.
/// </summary>
public sealed class WorkerHealthEndpoint(int port, HealthCheckService health, ILogger<WorkerHealthEndpoint> logger) : BackgroundService
{
    public const string PortSetting = "DigitGan:Health:Port";

    private readonly HttpListener _listener = new();

    /// <summary>The port from DigitGan:Health:Port; null when unset (no endpoint, as for the web app's local worker).</summary>
    public static int? Port(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }

        return int.TryParse(setting, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new DigitGanConfigurationException($"{PortSetting} is '{setting}'; set it to a TCP port (1-65535) for the worker's /health/live and /health/ready, or leave it empty for none.");
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Listening starts before the host reports started, so a port in use stops the worker at once with the reason.
        _listener.Prefixes.Add($"http://+:{port}/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException ex)
        {
            throw new DigitGanConfigurationException($"{PortSetting} is {port}, but the worker cannot listen there: {ex.Message}.");
        }

        logger.LogInformation("Health probes on port {Port}: {Live}, {Ready}.", port, HealthRegistration.LivePath, HealthRegistration.ReadyPath);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _listener.Close();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = stoppingToken.Register(_listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            _ = Task.Run(() => AnswerAsync(context, stoppingToken), CancellationToken.None);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken stoppingToken)
    {
        using var response = context.Response;
        try
        {
            Func<HealthCheckRegistration, bool>? checks = context.Request.Url?.AbsolutePath switch
            {
                HealthRegistration.LivePath => _ => false,
                HealthRegistration.ReadyPath => HealthRegistration.IsReadinessCheck,
                _ => null,
            };
            if (checks is null || context.Request.HttpMethod is not ("GET" or "HEAD"))
            {
                response.StatusCode = (int)HttpStatusCode.NotFound;
                return;
            }

            var report = await health.CheckHealthAsync(checks, stoppingToken).ConfigureAwait(false);
            var body = HealthReportJson.Serialize(report);
            response.StatusCode = HealthReportJson.StatusCode(report);
            response.ContentType = "application/json";
            response.Headers["Cache-Control"] = "no-store";
            response.ContentLength64 = body.Length;
            if (context.Request.HttpMethod == "GET")
            {
                await response.OutputStream.WriteAsync(body, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or OperationCanceledException)
        {
            logger.LogDebug("A health probe was not answered: {Error}", ex.Message);
        }
    }
}
