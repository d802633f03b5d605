using System.Reflection;

namespace DigitGan.Shared.Hosting;

/// <summary>The version of this build (its informational version, with the commit when built from git), recorded in every run.</summary>
public static class CodeVersion
{
    public static string Current { get; } =
        typeof(CodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
