using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Jobs;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace DigitGan.Jobs.Hosting;

/// <summary>The Hangfire storage and server of the training queue, the same for the web app and the workers.</summary>
public static class TrainingQueueSetup
{
    /// <summary>Checks the queue settings up front, so a wrong one stops the process at start with a clear message.</summary>
    public static void Validate(QueueOptions queue)
    {
        if (queue.IsPostgreSql)
        {
            if (string.IsNullOrWhiteSpace(queue.ConnectionString))
            {
                throw new DigitGanConfigurationException("DigitGan:Queue:Kind is PostgreSql: set DigitGan:Queue:ConnectionString (Host=...;Port=5432;Database=...;Username=...;Password=...).");
            }
        }
        else if (!string.Equals(queue.Kind, "InMemory", StringComparison.OrdinalIgnoreCase))
        {
            throw new DigitGanConfigurationException($"DigitGan:Queue:Kind is '{queue.Kind}'; use InMemory (the default: one process) or PostgreSql (a web app and separate workers).");
        }
    }

    public static IGlobalConfiguration UseTrainingQueue(this IGlobalConfiguration hangfire, QueueOptions queue)
    {
        Validate(queue);
        hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
        return queue.IsPostgreSql
            ? hangfire.UsePostgreSqlStorage(postgres => postgres.UseNpgsqlConnection(queue.ConnectionString), PostgreSqlOptions())
            : hangfire.UseInMemoryStorage();
    }

    /// <summary>
    /// Long polling: a worker picks a new job up in about a second instead of at the next 15 s poll. A sliding
    /// invisibility timeout: a live worker's heartbeat keeps its long job invisible (never fetched twice), and a
    /// dead worker's job becomes visible again a minute after its last heartbeat.
    /// </summary>
    public static PostgreSqlStorageOptions PostgreSqlOptions() => new()
    {
        EnableLongPolling = true,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(1),
        QueuePollInterval = TimeSpan.FromSeconds(5),
        PrepareSchemaIfNecessary = true,
    };

    /// <summary>A server for the training queue with one worker: a run uses every core (or the GPU) it is given.</summary>
    public static IServiceCollection AddTrainingServer(this IServiceCollection services, string name) => services.AddHangfireServer(server =>
    {
        server.Queues = [ITrainingJob.Queue];
        server.WorkerCount = 1;
        server.ServerName = name;
    });
}
