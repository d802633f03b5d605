using System.Diagnostics;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Queue;

namespace DigitGan.Web.Hosting;

/// <summary>
/// How to start the local worker: the DigitGan.Jobs build (DigitGan:LocalWorker:Path, else the worker/ folder of a
/// published app, else src/Jobs's build output beside src/Web's), with this app's effective store and queue settings
/// passed as environment variables, so settings given on the command line reach the worker too.
/// </summary>
public sealed class LocalWorkerCommand
{
    private const string WorkerAssembly = "DigitGan.Jobs.dll";

    private readonly string _worker;
    private readonly Dictionary<string, string?> _environment;

    public LocalWorkerCommand(DigitGanOptions options, string dataFolder)
    {
        _worker = Locate(options.LocalWorker.Path);
        _environment = new Dictionary<string, string?>
        {
            ["DigitGan__DataFolder"] = dataFolder,
            ["DigitGan__Storage__Kind"] = options.Storage.Kind,
            ["DigitGan__Storage__Folder"] = options.Storage.Folder,
            ["DigitGan__Storage__ConnectionString"] = options.Storage.ConnectionString,
            ["DigitGan__Storage__AccountUrl"] = options.Storage.AccountUrl,
            ["DigitGan__Storage__Container"] = options.Storage.Container,
            ["DigitGan__Queue__Kind"] = options.Queue.Kind,
            ["DigitGan__Queue__ConnectionString"] = options.Queue.ConnectionString,
            ["DigitGan__Queue__SqlitePath"] = TrainingQueue.SqlitePath(options.Queue, dataFolder),
            // One line per message, so each lands as one entry of this app's log.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
    }

    /// <summary>The worker's path, for the log (no settings: they may hold secrets).</summary>
    public string Description => $"{_worker} worker";

    public ProcessStartInfo CreateStartInfo(int parentProcessId)
    {
        var isAssembly = _worker.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(isAssembly ? DotnetHost() : _worker)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_worker)!,
        };
        if (isAssembly)
        {
            info.ArgumentList.Add(_worker);
        }

        foreach (var argument in new[] { "worker", "--parent-pid", parentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static string Locate(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var path = Path.GetFullPath(configured);
            return File.Exists(path) ? path : throw new DigitGanConfigurationException($"DigitGan:LocalWorker:Path is {path}, which does not exist. Point it at DigitGan.Jobs.dll (build src/Jobs), or set DigitGan:LocalWorker:Enabled=false and run workers yourself.");
        }

        // bin/<Configuration>/<framework>/ of src/Web -> the same folders of src/Jobs.
        var app = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var candidates = new List<string> { Path.Combine(app.FullName, "worker", WorkerAssembly) };
        if (app.Parent?.Parent?.Parent?.Parent is { } projects)
        {
            candidates.Add(Path.Combine(projects.FullName, "Jobs", "bin", app.Parent.Name, app.Name, WorkerAssembly));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DigitGanConfigurationException($"No training worker found (looked for {string.Join(" and ", candidates)}). Build it (dotnet build DigitGan.sln -c Release, as scripts/setup.sh does), set DigitGan:LocalWorker:Path to DigitGan.Jobs.dll, or set DigitGan:LocalWorker:Enabled=false and run workers yourself.");
    }

    /// <summary>The dotnet host this app runs under (so the worker uses the same runtime), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
