using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitGan.Jobs.Hosting;

/// <summary>
/// Crash-isolation testing: when DIGITGAN_FAULT_FILE is set and that file appears, the worker deletes it and dies of
/// a real segmentation fault in native code, as a crash inside libtorch would. (A SIGSEGV sent from outside with
/// kill is absorbed by the .NET runtime: measured, the worker kept training.) Off unless the variable is set.
/// </summary>
public sealed class FaultInjection(string triggerFile, ILogger<FaultInjection> logger) : BackgroundService
{
    public const string Variable = "DIGITGAN_FAULT_FILE";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (File.Exists(triggerFile))
                {
                    File.Delete(triggerFile);
                    logger.LogWarning("Fault injection: {File} appeared; crashing with a segmentation fault in native code.", triggerFile);
                    _ = WriteTo(IntPtr.Zero, 0, 1);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "memset")]
    private static extern IntPtr WriteTo(IntPtr destination, int value, UIntPtr count);
}
