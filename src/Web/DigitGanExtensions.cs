using System.Text.Json.Serialization;
using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Hosting;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Runs;
using DigitGan.Web.Apis;
using DigitGan.Web.Components;
using DigitGan.Web.Services;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using MudBlazor.Services;
using Scalar.AspNetCore;

namespace DigitGan.Web;

/// <summary>The composition root: the embedded default or the configured services, and the endpoints.</summary>
public static class DigitGanExtensions
{
    public static WebApplicationBuilder AddDigitGan(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DigitGanOptions.Section).Get<DigitGanOptions>() ?? new DigitGanOptions();
        var dataFolder = Path.GetFullPath(options.DataFolder ?? DataPaths.DataFolder);
        TrainingQueueSetup.Validate(options.Queue);
        var store = ArtifactStoreFactory.Create(options.Storage, Path.Combine(dataFolder, "store"));
        var services = builder.Services;
        services.Configure<DigitGanOptions>(builder.Configuration.GetSection(DigitGanOptions.Section));
        services.AddSingleton(store);
        services.AddSingleton(new RunRepository(store));
        services.AddSingleton(ApiKey.Load(options.ApiKey, dataFolder));
        services.AddSingleton<RunService>();
        services.AddScoped<ITrainingJob, TrainingJob>();
        services.AddHostedService<StartupService>();

        services.AddHangfire(hangfire => hangfire.UseTrainingQueue(options.Queue));
        if (options.InProcessWorker)
        {
            // One training job at a time per process: a run uses every core (or the GPU) it is given.
            services.AddTrainingServer($"web-{Environment.MachineName}-{Environment.ProcessId}");
        }

        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        // MudBlazor's CSS/JS are static web assets of a package: serve them from the build output too (not only
        // in Development or from a publish folder), so `dotnet DigitGan.Web.dll` as the README runs it has them.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapDigitGan(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference("/api/reference", scalar => scalar.WithTitle("DigitGan API"));
        app.MapRunsApi();
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new DashboardApiKeyAuthorization(app.Environment.IsDevelopment(), app.Services.GetRequiredService<ApiKey>())],
            DisplayStorageConnectionString = false,
        });
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        var key = app.Services.GetRequiredService<ApiKey>();
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
            "DigitGan is up. Store: {Store}. Runs: /runs. API reference: /api/reference. Write calls need {Header}: {Key} (from {Source}).",
            app.Services.GetRequiredService<IArtifactStore>().Description, ApiKey.Header, key.Value, key.Source));
        return app;
    }
}

/// <summary>
/// Turns expected failures into ProblemDetails: a bad spec is a 400 naming each field, an unknown run a 404, an
/// unreachable store a 503 that says so. Nothing returns a stack trace.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem = exception switch
        {
            RunSpecException spec => new ValidationProblemDetails(spec.Errors.ToDictionary(e => e.Key, e => e.Value)) { Status = 400, Title = "The run spec is invalid" },
            RunNotFoundException notFound => new ProblemDetails { Status = 404, Title = "Not found", Detail = $"Run {notFound.RunId} does not exist." },
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            _ when StorageErrors.IsUnreachable(exception)
                => new ProblemDetails { Status = 503, Title = "Storage is unreachable", Detail = "The artifact store did not answer; nothing was changed. Try again shortly." },
            _ => new ProblemDetails { Status = 500, Title = "Unexpected error", Detail = "The request failed unexpectedly; the error is in the server log." },
        };
        if (problem.Status >= 500)
        {
            logger.LogError(exception, "Request {Path} failed: {Title}", httpContext.Request.Path, problem.Title);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = null }).ConfigureAwait(false);
    }
}

/// <summary>
/// The Hangfire dashboard: open in Development; elsewhere HTTP Basic authentication with the API key as the
/// password (any user name), so a browser prompts for it.
/// </summary>
public sealed class DashboardApiKeyAuthorization(bool development, ApiKey key) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        if (development)
        {
            return true;
        }

        var http = context.GetHttpContext();
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                if (key.Matches(pair[(pair.IndexOf(':', StringComparison.Ordinal) + 1)..]))
                {
                    return true;
                }
            }
            catch (FormatException)
            {
            }
        }

        http.Response.Headers.WWWAuthenticate = "Basic realm=\"DigitGan Hangfire dashboard (password: the API key)\"";
        return false;
    }
}
