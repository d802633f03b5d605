using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Queue;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DigitGan.Jobs.Hosting;

/// <summary>
/// A worker process: serves the training queue (the embedded SQLite file or PostgreSQL), one job at a time, with
/// the settings of the web app's "DigitGan" section (environment variables or --DigitGan:Section:Key=value).
/// </summary>
public static class WorkerHost
{
    public static IHost Build(string[] args, int? parentProcessId, out string description)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = builder.Configuration.GetSection("DigitGan").Get<WorkerOptions>() ?? new WorkerOptions();
        TrainingQueue.Validate(options.Queue);
        var dataFolder = Path.GetFullPath(options.DataFolder ?? DataPaths.DataFolder);
        var store = ArtifactStoreFactory.Create(options.Storage, Path.Combine(dataFolder, "store"));
        builder.Services.AddSingleton(store);
        builder.Services.AddScoped<ITrainingJob, TrainingJob>();
        builder.Services.AddHangfire(hangfire => hangfire.UseTrainingQueue(options.Queue, dataFolder));
        builder.Services.AddTrainingServer($"worker-{Environment.MachineName}-{Environment.ProcessId}");
        builder.AddWorkerObservability();
        if (parentProcessId is { } parent)
        {
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<ParentProcessWatch>(services, parent));
        }

        if (Environment.GetEnvironmentVariable(FaultInjection.Variable) is { Length: > 0 } faultFile)
        {
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<FaultInjection>(services, faultFile));
        }

        var queue = options.Queue.IsPostgreSql ? "PostgreSQL" : $"SQLite {TrainingQueue.SqlitePath(options.Queue, dataFolder)}";
        description = $"Worker {Environment.ProcessId} serving queue '{ITrainingJob.Queue}' ({queue}), store {store.Description}.";
        return builder.Build();
    }
}
