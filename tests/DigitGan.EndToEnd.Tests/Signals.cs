using System.Runtime.InteropServices;

namespace DigitGan.EndToEnd.Tests;

/// <summary>Sends a POSIX signal to one process (not its tree), as a crash or an operator would.</summary>
public static class Signals
{
    public const int Kill = 9;

    public static void Send(int processId, int signal)
    {
        if (SendSignal(processId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int processId, int signal);
}
