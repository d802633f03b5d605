using System.Text.Json.Serialization;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Queue;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Apis;
using DigitGan.Web.Components;
using DigitGan.Web.Hosting;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Hangfire;
using Hangfire.Dashboard;
using MudBlazor.Services;
using Scalar.AspNetCore;

namespace DigitGan.Web;

/// <summary>The composition root: the embedded default or the configured services, and the endpoints.</summary>
public static class DigitGanExtensions
{
    public const string AuthSection = "DigitGan:Auth";

    public static WebApplicationBuilder AddDigitGan(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DigitGanOptions.Section).Get<DigitGanOptions>() ?? new DigitGanOptions();
        var dataFolder = Path.GetFullPath(options.DataFolder ?? DataPaths.DataFolder);
        TrainingQueue.Validate(options.Queue);
        var store = ArtifactStoreFactory.Create(options.Storage, Path.Combine(dataFolder, "store"));
        var services = builder.Services;
        services.Configure<DigitGanOptions>(builder.Configuration.GetSection(DigitGanOptions.Section));
        services.AddSingleton(store);
        services.AddSingleton(provider => new RunRepository(store, logger: provider.GetRequiredService<ILogger<RunRepository>>()));
        services.AddSingleton(ApiKey.Load(options.ApiKey, dataFolder));
        services.AddSingleton<RunService>();
        services.AddSingleton(new SweepRepository(store));
        services.AddSingleton<SweepService>();
        services.Configure<AuthOptions>(builder.Configuration.GetSection(AuthSection));
        services.AddDigitGanAuth(builder.Configuration.GetSection(AuthSection).Get<AuthOptions>() ?? new AuthOptions(), store);
        services.AddHostedService<StartupService>();
        if (options.Sweeps.CoordinatorEnabled)
        {
            services.AddSingleton<SweepCoordinator>();
            services.AddHostedService(provider => provider.GetRequiredService<SweepCoordinator>());
        }

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
        services.AddSubmitRateLimit(options.Limits);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.Limits.MaxRequestBodyBytes);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer<SecuritySchemesTransformer>());

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
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapOpenApi().RequireAuthorization(DigitGanRoles.ViewerPolicy);
        app.MapDigitGanHealth();
        app.MapScalarApiReference("/api/reference", scalar => scalar.WithTitle("DigitGan API")).RequireAuthorization(DigitGanRoles.ViewerPolicy);
        app.MapRunsApi();
        app.MapSweepsApi();
        app.MapAuthEndpoints();

        // The dashboard sits behind the same sign-in; only operators may requeue or delete jobs there.
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            IsReadOnlyFunc = context => !RunAccess.IsOperator(context.GetHttpContext().User),
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(DigitGanRoles.ViewerPolicy);
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        var key = app.Services.GetRequiredService<ApiKey>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // The key itself is never logged: only where it is kept and a fingerprint to tell keys apart.
            var url = app.Urls.FirstOrDefault() ?? "http://localhost:5000";
            app.Logger.LogInformation(
                "DigitGan is up. Store: {Store}. Runs: {Url}/runs. API reference: {Url}/api/reference. Write calls need {Header}: the key kept in {Source} (fingerprint {Fingerprint}).",
                app.Services.GetRequiredService<IArtifactStore>().Description, url, url, ApiKey.Header, key.Source, key.Fingerprint);
            app.Logger.LogInformation("Sign in as an operator (once, within the hour): {Url}/auth/link?token={Token}", url, app.Services.GetRequiredService<SignInLinks>().Create());
        });
        return app;
    }
}
