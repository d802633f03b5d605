namespace DigitGan.Shared.Queue;

/// <summary>The queue runs wait in: the "DigitGan:Queue" section, shared by the web app and the workers.</summary>
public sealed class QueueOptions
{
    public const string SqliteKind = "Sqlite";
    public const string PostgreSqlKind = "PostgreSql";

    /// <summary>
    /// Sqlite (the embedded default: a file in the data folder that the web app and its local worker process share)
    /// or PostgreSql (shared by the web app and any number of separate workers).
    /// </summary>
    public string Kind { get; set; } = SqliteKind;

    /// <summary>PostgreSql: an Npgsql connection string (Host=...;Database=...;Username=...;Password=...).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Sqlite: the database file (default: queue.db in the data folder).</summary>
    public string? SqlitePath { get; set; }

    public bool IsPostgreSql => string.Equals(Kind, PostgreSqlKind, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Kind, SqliteKind, StringComparison.OrdinalIgnoreCase);
}
