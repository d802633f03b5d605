using System.Text.Json.Serialization;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Queue;
using DigitGan.Shared.Runs;
using DigitGan.Web.Apis;
using DigitGan.Web.Components;
using DigitGan.Web.Hosting;
using DigitGan.Web.Services;
using Hangfire;
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
        TrainingQueue.Validate(options.Queue);
        var store = ArtifactStoreFactory.Create(options.Storage, Path.Combine(dataFolder, "store"));
        var services = builder.Services;
        services.Configure<DigitGanOptions>(builder.Configuration.GetSection(DigitGanOptions.Section));
        services.AddSingleton(store);
        services.AddSingleton(new RunRepository(store));
        services.AddSingleton(ApiKey.Load(options.ApiKey, dataFolder));
        services.AddSingleton<RunService>();
        services.AddHostedService<StartupService>();
        services.AddDigitGanHealth();
        builder.AddDigitGanTelemetry();

        // The app only enqueues and shows jobs: training runs in worker processes (its own local one by default).
        services.AddHangfire(hangfire => hangfire.UseTrainingQueue(options.Queue, dataFolder));
        if (options.LocalWorker.IsEnabled(options.Queue))
        {
            // Registered after StartupService, so the worker starts once MNIST, the classifier and the re-enqueue are done.
            services.AddSingleton(new LocalWorkerCommand(options, dataFolder));
            services.AddSingleton<LocalWorkerSupervisor>();
            services.AddHostedService(provider => provider.GetRequiredService<LocalWorkerSupervisor>());
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
        app.MapDigitGanHealth();
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
