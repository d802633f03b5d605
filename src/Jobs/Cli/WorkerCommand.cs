using System.CommandLine;
using DigitGan.Jobs.Hosting;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Jobs;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DigitGan.Jobs.Cli;

/// <summary>The settings a worker reads (the web app's "DigitGan" section, same names).</summary>
public sealed class WorkerOptions
{
    public StorageOptions Storage { get; set; } = new();
    public QueueOptions Queue { get; set; } = new();
}

/// <summary>
/// `worker`: serves the shared training queue (PostgreSQL) in this process, one job at a time, until stopped.
/// Settings come from environment variables (DigitGan__Storage__Kind, DigitGan__Queue__ConnectionString, ...) or
/// --DigitGan:Section:Key=value arguments, with the web app's names.
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "Serve the training queue (PostgreSQL) in this process, one run at a time. Settings: DigitGan__Queue__Kind=PostgreSql, DigitGan__Queue__ConnectionString, DigitGan__Storage__* (environment) or --DigitGan:Queue:ConnectionString=... arguments.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [.. parse.UnmatchedTokens], ContentRootPath = AppContext.BaseDirectory });
            var options = builder.Configuration.GetSection("DigitGan").Get<WorkerOptions>() ?? new WorkerOptions();
            if (!options.Queue.IsPostgreSql)
            {
                throw new DigitGanConfigurationException("A separate worker needs the shared queue: set DigitGan__Queue__Kind=PostgreSql and DigitGan__Queue__ConnectionString (the web app's settings). With the in-memory queue the web app trains runs itself.");
            }

            TrainingQueueSetup.Validate(options.Queue);
            var store = ArtifactStoreFactory.Create(options.Storage, DataPaths.DefaultStore);
            builder.Services.AddSingleton(store);
            builder.Services.AddScoped<ITrainingJob, TrainingJob>();
            builder.Services.AddHangfire(hangfire => hangfire.UseTrainingQueue(options.Queue));
            builder.Services.AddTrainingServer($"worker-{Environment.MachineName}-{Environment.ProcessId}");
            using var host = builder.Build();
            Console.WriteLine($"Worker {Environment.ProcessId} serving queue '{ITrainingJob.Queue}' (PostgreSQL), store {store.Description}. Ctrl+C stops it; its run resumes on another worker.");
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
