using System.Diagnostics;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Benchmarks;

/// <summary>
/// Finds which instruction set and kernels oneDNN uses for the model's convolutions. oneDNN reads ONEDNN_VERBOSE
/// once, when the process first uses it, so the probe runs in a child process (the hidden `onednn-probe` verb) with
/// the variable set, and parses the lines it prints.
/// </summary>
public static partial class OneDnnProbe
{
    public const string Verb = "onednn-probe";

    /// <summary>Runs the probe process for the given precisions and parses its output; never throws.</summary>
    public static OneDnnReport Run(IReadOnlyList<ScalarType> precisions, TimeSpan timeout)
    {
        try
        {
            var start = ProbeStart(precisions);
            start.Environment["ONEDNN_VERBOSE"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException("the probe process did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return new OneDnnReport { Error = $"the probe did not finish within {timeout.TotalSeconds:F0} s" };
            }

            return process.ExitCode == 0
                ? Parse(stdout)
                : new OneDnnReport { Error = $"the probe exited with {process.ExitCode}: {stderr.Result.Trim()}" };
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return new OneDnnReport { Error = $"the probe could not run: {ex.Message}" };
        }
    }

    /// <summary>
    /// Parses ONEDNN_VERBOSE output. The probe prints "precision: NAME" before each precision's work, so each
    /// "primitive,exec" line (convolution, deconvolution or matmul; reorders are left out) is filed under it.
    /// </summary>
    public static OneDnnReport Parse(string output)
    {
        string? isa = null, version = null, current = null;
        var kernels = new Dictionary<string, SortedSet<string>>();
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("precision: ", StringComparison.Ordinal))
            {
                current = line["precision: ".Length..];
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < 3 || !fields[0].StartsWith("onednn_verbose", StringComparison.Ordinal))
            {
                continue;
            }

            if (fields.FirstOrDefault(f => f.StartsWith("isa:", StringComparison.Ordinal)) is { } isaField)
            {
                isa ??= isaField["isa:".Length..];
            }
            else if (VersionPattern().Match(line) is { Success: true } match)
            {
                version ??= match.Value;
            }
            else if (current is not null && fields.Length > 9 && fields[2] == "primitive" && fields[3] == "exec"
                && fields[5] is "convolution" or "deconvolution" or "matmul")
            {
                // onednn_verbose,v1,primitive,exec,cpu,KIND,IMPLEMENTATION,PROPAGATION,...
                if (!kernels.TryGetValue(current, out var set))
                {
                    kernels[current] = set = new SortedSet<string>(StringComparer.Ordinal);
                }

                set.Add($"{fields[5]} {fields[7]}: {fields[6]}");
            }
        }

        return new OneDnnReport
        {
            Isa = isa,
            Version = version,
            Kernels = kernels.ToDictionary(k => k.Key, k => (IReadOnlyList<string>)[.. k.Value]),
            Error = isa is null && kernels.Count == 0 ? "oneDNN printed nothing (is this libtorch built with oneDNN?)" : null,
        };
    }

    /// <summary>The probe's own work: one forward and backward pass of a discriminator and a generator convolution per precision.</summary>
    public static void Exercise(IEnumerable<ScalarType> precisions, TextWriter output)
    {
        foreach (var precision in precisions)
        {
            output.WriteLine($"precision: {Model.ComputePrecision.Name(precision)}");
            output.Flush();
            using var scope = NewDisposeScope();
            var x = randn(32, 64, 14, 14).to(precision).requires_grad_();
            var w = randn(128, 64, 5, 5).to(precision).requires_grad_();
            nn.functional.conv2d(x, w, strides: [2, 2], padding: [2, 2]).sum().backward();
            var g = randn(32, 128, 7, 7).to(precision).requires_grad_();
            var gw = randn(128, 64, 5, 5).to(precision).requires_grad_();
            nn.functional.conv_transpose2d(g, gw, strides: [2, 2], padding: [2, 2], output_padding: [1, 1]).sum().backward();
            randn(256, 256).to(precision).mm(randn(256, 256).to(precision)).Dispose();
        }
    }

    /// <summary>`dotnet DigitGan.Jobs.dll onednn-probe fp32 bf16`, with the dotnet host that runs this process where there is one.</summary>
    private static ProcessStartInfo ProbeStart(IReadOnlyList<ScalarType> precisions)
    {
        var jobs = typeof(OneDnnProbe).Assembly.Location;
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(jobs);
        start.ArgumentList.Add(Verb);
        foreach (var precision in precisions)
        {
            start.ArgumentList.Add(Model.ComputePrecision.Name(precision));
        }

        return start;
    }

    [GeneratedRegex(@"oneDNN v[0-9.]+")]
    private static partial Regex VersionPattern();
}
