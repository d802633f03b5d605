using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitGan.Jobs.Hosting;

/// <summary>
/// Stops a local worker when the web app that started it is gone (even after a kill -9, which sends the child
/// nothing): the worker is re-parented, so getppid() no longer returns the web app's id. A graceful stop leaves the
/// run Queued and its job back in the queue for the next web app's worker.
/// </summary>
public sealed class ParentProcessWatch(int parentProcessId, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatch> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!IsAlive(parentProcessId))
                {
                    logger.LogWarning("The web app (process {ParentId}) that started this worker is gone; stopping.", parentProcessId);
                    lifetime.StopApplication();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool IsAlive(int parentProcessId) => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
        ? GetParentProcessId() == parentProcessId
        : !HasExited(parentProcessId);

    private static bool HasExited(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();
}
