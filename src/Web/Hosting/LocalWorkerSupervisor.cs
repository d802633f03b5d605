using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Hosting;

/// <summary>
/// Runs the embedded default's training worker as a child process (`DigitGan.Jobs worker --parent-pid`): starts it
/// after the start-up checks, restarts it whenever it dies (a crash or an out-of-memory in libtorch costs only the
/// worker; its run resumes from the latest checkpoint), and stops it with the app. The worker watches this process
/// too, so it also stops when the app is killed.
/// </summary>
public sealed class LocalWorkerSupervisor(LocalWorkerCommand command, IOptions<DigitGanOptions> options, ILogger<LocalWorkerSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    /// <summary>A worker that ran this long before it died counts as healthy: its restart is not delayed further.</summary>
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);

    private Process? _process;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRestartDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            var process = Start();
            try
            {
                await process.WaitForExitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // StopAsync stops the worker
            }

            delay = clock.Elapsed >= HealthyRun ? FirstRestartDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
            logger.LogWarning("The local worker (process {ProcessId}) exited with {ExitCode}{Signal} after {Seconds:F0} s; starting a new one in {Delay:F0} s. Its run resumes from the latest checkpoint.",
                process.Id, process.ExitCode, process.ExitCode > 128 ? $" (signal {process.ExitCode - 128})" : "", clock.Elapsed.TotalSeconds, delay.TotalSeconds);
            process.Dispose();
            _process = null;
            try
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        // SIGTERM: the worker's host stops Hangfire, whose job leaves the run at the next step and goes back to the queue.
        logger.LogInformation("Stopping the local worker (process {ProcessId}) ...", process.Id);
        _ = Terminate(process.Id, 15);
        using var timeout = new CancellationTokenSource(options.Value.LocalWorker.StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The local worker did not stop within {Seconds:F0} s; killing it. Its run resumes from the latest checkpoint.", options.Value.LocalWorker.StopTimeout.TotalSeconds);
            process.Kill(entireProcessTree: true);
        }
    }

    public override void Dispose()
    {
        _process?.Dispose();
        base.Dispose();
    }

    private Process Start()
    {
        var info = command.CreateStartInfo(Environment.ProcessId);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => Forward(line.Data, LogLevel.Information);
        process.ErrorDataReceived += (_, line) => Forward(line.Data, LogLevel.Warning);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        logger.LogInformation("Started the local worker (process {ProcessId}): {Command}.", process.Id, command.Description);
        return process;
    }

    private void Forward(string? line, LogLevel level)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            logger.Log(level, "worker: {Line}", line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int processId, int signal);
}
