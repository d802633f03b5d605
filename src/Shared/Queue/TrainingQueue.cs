using DigitGan.Shared.Hosting;
using DigitGan.Shared.Jobs;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.DependencyInjection;

namespace DigitGan.Shared.Queue;

/// <summary>The Hangfire storage and server of the training queue, the same for the web app and the workers.</summary>
public static class TrainingQueue
{
    /// <summary>The embedded queue's file in the data folder, unless DigitGan:Queue:SqlitePath says otherwise.</summary>
    public static string SqlitePath(QueueOptions queue, string dataFolder) => Path.GetFullPath(queue.SqlitePath ?? Path.Combine(dataFolder, "queue.db"));

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
        else if (!queue.IsSqlite)
        {
            throw new DigitGanConfigurationException($"DigitGan:Queue:Kind is '{queue.Kind}'; use Sqlite (the default: a file in the data folder shared by the web app and its local worker) or PostgreSql (a web app and any number of separate workers).");
        }
    }

    public static IGlobalConfiguration UseTrainingQueue(this IGlobalConfiguration hangfire, QueueOptions queue, string dataFolder)
    {
        Validate(queue);
        hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
        if (queue.IsPostgreSql)
        {
            return hangfire.UsePostgreSqlStorage(postgres => postgres.UseNpgsqlConnection(queue.ConnectionString), PostgreSqlOptions());
        }

        var path = SqlitePath(queue, dataFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return hangfire.UseSQLiteStorage(new SQLiteDbConnectionFactory(() => OpenSqlite(path)), SqliteOptions());
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

    /// <summary>
    /// The SQLite queue has no heartbeat-extended invisibility: a fetched job becomes visible again a fixed time
    /// after its fetch. That is safe because the embedded default has exactly one worker process running one job at
    /// a time (a busy worker never fetches), and it makes a crashed worker's job visible to its replacement within
    /// <see cref="SqliteInvisibility"/>. A 1-s poll keeps pick-up latency low on a local file.
    /// </summary>
    public static readonly TimeSpan SqliteInvisibility = TimeSpan.FromSeconds(20);

    public static SQLiteStorageOptions SqliteOptions() => new()
    {
        QueuePollInterval = TimeSpan.FromSeconds(1),
        InvisibilityTimeout = SqliteInvisibility,
        DistributedLockLifetime = TimeSpan.FromSeconds(30),
    };

    /// <summary>WAL lets the web app read the queue while the worker writes it, across the two processes.</summary>
    private static SQLite.SQLiteConnection OpenSqlite(string path)
    {
        var connection = new SQLite.SQLiteConnection(path, SQLite.SQLiteOpenFlags.ReadWrite | SQLite.SQLiteOpenFlags.Create | SQLite.SQLiteOpenFlags.NoMutex, storeDateTimeAsTicks: true)
        {
            BusyTimeout = TimeSpan.FromSeconds(10),
        };
        connection.ExecuteScalar<string>("PRAGMA journal_mode=WAL");
        return connection;
    }

    /// <summary>A server for the training queue with one worker: a run uses every core (or the GPU) it is given.</summary>
    public static IServiceCollection AddTrainingServer(this IServiceCollection services, string name) => services.AddHangfireServer(server =>
    {
        server.Queues = [ITrainingJob.Queue];
        server.WorkerCount = 1;
        server.ServerName = name;
    });
}
