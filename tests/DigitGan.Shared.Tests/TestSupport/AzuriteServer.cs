using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DigitGan.Shared.Tests.TestSupport;

/// <summary>
/// A real Azurite blob service for the test run: started from the repository's .tools/azurite (installed by
/// scripts/test-services.sh) on a free port with its own data folder, stopped and deleted on dispose.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    public const string AccountName = "devstoreaccount1";

    // Azurite's fixed, publicly documented development key.
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly TempDirectory _data = new("azurite");

    public AzuriteServer()
    {
        var executable = Path.Combine(RepoRoot(), ".tools", "azurite", "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run scripts/test-services.sh (scripts/test.sh does).");
        }

        Port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _data.Path, "--disableTelemetry", "--loose", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening(TimeSpan.FromSeconds(60));
    }

    public int Port { get; }

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _data.Dispose();
        }
    }

    private void WaitUntilListening(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited at start with code {_process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(200);
            }
        }

        throw new TimeoutException($"Azurite did not listen on port {Port} within {timeout.TotalSeconds} s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepoRoot()
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
