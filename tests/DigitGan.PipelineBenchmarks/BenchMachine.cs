using System.Diagnostics;
using System.Runtime.InteropServices;

/// <summary>The machine a benchmark ran on, as its JSON report records it: `lscpu` model name and flags, cores, OS.</summary>
internal static class BenchMachine
{
    public static object Describe()
    {
        var lscpu = "";
        try
        {
            using var process = Process.Start(new ProcessStartInfo("lscpu") { RedirectStandardOutput = true })!;
            lscpu = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        string Field(string name) => lscpu.Split('\n').FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "";
        return new { model = Field("Model name"), flags = Field("Flags"), cores = Environment.ProcessorCount, os = RuntimeInformation.OSDescription };
    }
}
