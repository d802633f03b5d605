using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DigitGan.Testing;

/// <summary>The repository root (the folder holding DigitGan.sln), found from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DigitGan.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DigitGan.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A child process the tests start and always stop (the whole tree), with its output kept for failure messages.</summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private bool _disposed;

    public ServiceProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>A script of the repository (a path below its root) with arguments and environment.</summary>
    public static ServiceProcess StartScript(string script, IEnumerable<string> args, IEnumerable<(string Name, string Value)> environment)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoPaths.Root, script)) { WorkingDirectory = RepoPaths.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ServiceProcess(start);
    }

    /// <summary>`dotnet` running one of the solution's built apps (a path below the repository root) with arguments and environment.</summary>
    public static ServiceProcess StartDotnet(string dll, IEnumerable<string> args, IEnumerable<(string Name, string Value)> environment)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ServiceProcess(start);
    }

    public int Id => _process.Id;

    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>The exit code once the process has ended by itself.</summary>
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits for the process to end by itself; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout) => _disposed || _process.WaitForExit(timeout);

    /// <summary>Kills the process tree at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (!_disposed && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Kill();
        _disposed = true;
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the port.</summary>
    public static void WaitUntilListening(int port, TimeSpan timeout, Func<string?> failure)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (failure() is { } reason)
            {
                throw new InvalidOperationException(reason);
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(200);
            }
        }

        throw new TimeoutException($"Nothing listened on port {port} within {timeout.TotalSeconds} s.");
    }
}

/// <summary>
/// A real Azurite blob service for the test run: started from the repository's .tools/azurite (installed by
/// scripts/test-services.sh) on a free port with its own data folder, stopped and deleted on dispose.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    public const string AccountName = "devstoreaccount1";

    // Azurite's fixed, publicly documented development key.
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _data = Directory.CreateTempSubdirectory("digitgan-azurite-").FullName;
    private ServiceProcess _process;

    public AzuriteServer()
    {
        Port = Ports.Free();
        _process = Start();
    }

    private ServiceProcess Start()
    {
        var executable = Path.Combine(RepoPaths.Root, ".tools", "azurite", "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run scripts/test-services.sh (scripts/test.sh does).");
        }

        var process = new ServiceProcess(new ProcessStartInfo(executable)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _data, "--disableTelemetry", "--loose", "--silent" },
        });
        Ports.WaitUntilListening(Port, TimeSpan.FromSeconds(60), () => process.HasExited ? $"Azurite exited at start: {process.Output}" : null);
        return process;
    }

    /// <summary>
    /// Kills the service mid-request, as an outage would, and leaves it down: SIGTERM first, so Azurite saves the
    /// metadata of what it already acknowledged (its store keeps it in memory for up to 5 s; Azure itself never
    /// loses an acknowledged write), then SIGKILL, which cuts every open connection, in-flight uploads included.
    /// </summary>
    public void Kill()
    {
        Signal("TERM");
        var clock = Stopwatch.StartNew();
        while (!_process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            Thread.Sleep(50);
        }

        _process.Dispose();
    }

    /// <summary>Starts the service again on the same port and data folder after <see cref="Kill"/>.</summary>
    public void Restart() => _process = Start();

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    public int Port { get; }

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>Everything the current process printed.</summary>
    public string Output => _process.Output;

    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>
/// A real PostgreSQL server for the test run: initdb into a temp folder and pg_ctl start on a free port, as the
/// `postgres` system user when the tests run as root (PostgreSQL refuses to run as root); stopped and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _data;
    private readonly bool _asPostgresUser = Environment.UserName == "root";

    public PostgresServer()
    {
        var bin = new[] { "/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin" }.FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL (initdb, pg_ctl) was not found: run scripts/test-services.sh (it installs it with apt-get where missing).");
        Bin = bin;
        _data = Path.Combine(Path.GetTempPath(), $"digitgan-pg-{Guid.NewGuid():N}");
        Port = Ports.Free();
        Run($"mkdir -p {_data} && {Bin}/initdb -D {_data} -A trust -U postgres --no-sync > {_data}.initdb.log 2>&1");
        Run($"{Bin}/pg_ctl -D {_data} -o \"-p {Port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l {_data}.log -w -t 60 start");
    }

    public string Bin { get; }

    public int Port { get; }

    /// <summary>A connection string to the cluster's database (each server is a fresh cluster of its own).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";

    /// <summary>
    /// Stops the server at once (every connection dropped, as in a crash) and starts it again on the same port and
    /// data, after <paramref name="down"/>.
    /// </summary>
    public void Restart(TimeSpan down)
    {
        Run($"{Bin}/pg_ctl -D {_data} -m immediate -w stop");
        Thread.Sleep(down);
        Run($"{Bin}/pg_ctl -D {_data} -o \"-p {Port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l {_data}.log -w -t 60 start");
    }

    public void Dispose()
    {
        try
        {
            Run($"{Bin}/pg_ctl -D {_data} -m immediate -w stop > /dev/null 2>&1 || true");
        }
        finally
        {
            Run($"rm -rf {_data} {_data}.log {_data}.initdb.log");
        }
    }

    private void Run(string command)
    {
        var start = _asPostgresUser
            ? new ProcessStartInfo("su", ["postgres", "-s", "/bin/sh", "-c", command])
            : new ProcessStartInfo("/bin/sh", ["-c", command]);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var log = File.Exists(_data + ".log") ? File.ReadAllText(_data + ".log") : File.Exists(_data + ".initdb.log") ? File.ReadAllText(_data + ".initdb.log") : "";
            throw new InvalidOperationException($"PostgreSQL command failed ({process.ExitCode}): {command}\n{error}\n{log}");
        }
    }
}
