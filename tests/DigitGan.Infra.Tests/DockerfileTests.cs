using System.Text.RegularExpressions;
using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>
/// No docker daemon here, so the Dockerfiles are checked statically: every path a COPY names exists in the build
/// context (the repository root) and is not excluded by .dockerignore, every ${ARG} is declared, and the build
/// arguments the deploy workflow passes exist.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Dockerfiles() => ["src/Web/Dockerfile", "src/Jobs/Dockerfile"];

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_copied_path_exists_in_the_context_and_is_not_ignored(string dockerfile)
    {
        var ignored = File.ReadAllLines(InfraTools.Path(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Trim('/').Replace("**/", "", StringComparison.Ordinal)).ToList();
        var sources = Instructions(dockerfile).Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = InfraTools.Path(source.TrimEnd('/'));
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile}: COPY {source}: no such path in the repository");
            Assert.DoesNotContain(ignored, pattern => source.TrimEnd('/') == pattern || source.StartsWith(pattern + "/", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_variable_is_a_declared_argument_or_environment_variable(string dockerfile)
    {
        var instructions = Instructions(dockerfile);
        var declared = instructions.Where(i => i.Keyword is "ARG" or "ENV").Select(i => i.Arguments.Split('=', ' ')[0]).ToHashSet();
        foreach (var instruction in instructions)
        {
            foreach (Match use in Variable().Matches(instruction.Arguments))
            {
                Assert.True(declared.Contains(use.Groups[1].Value), $"{dockerfile}: {instruction.Keyword} uses ${{{use.Groups[1].Value}}}, which no ARG declares");
            }
        }

        Assert.Contains(instructions, i => i.Keyword == "ENTRYPOINT");
        foreach (var project in instructions.Where(i => i.Keyword == "RUN").SelectMany(i => Project().Matches(i.Arguments)).Select(m => m.Value))
        {
            Assert.True(File.Exists(InfraTools.Path(project)), $"{dockerfile}: {project} does not exist");
        }
    }

    [Fact]
    public void The_worker_image_has_the_cuda_build_switch_and_the_deploy_workflow_uses_it()
    {
        var worker = Instructions("src/Jobs/Dockerfile");
        var args = worker.Where(i => i.Keyword == "ARG").Select(i => i.Arguments.Split('=')[0]).ToHashSet();
        Assert.Contains(worker, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal) && i.Arguments.Contains("-p:TorchBackend=${TORCH_BACKEND}", StringComparison.Ordinal));

        var deploy = File.ReadAllText(InfraTools.Path(".github", "workflows", "deploy.yml"));
        var buildArgs = BuildArg().Matches(deploy).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("TORCH_BACKEND", buildArgs);
        Assert.All(buildArgs, a => Assert.Contains(a, args));
        Assert.Contains("TORCH_BACKEND=cuda", deploy, StringComparison.Ordinal);
        Assert.Contains("nvidia/cuda:", deploy, StringComparison.Ordinal);
        foreach (var file in FileOption().Matches(deploy).Select(m => m.Groups[1].Value))
        {
            Assert.True(File.Exists(InfraTools.Path(file)), $"deploy.yml builds {file}, which does not exist");
        }
    }

    private sealed record Instruction(string Keyword, string Arguments);

    /// <summary>The instructions of a Dockerfile, continuation lines joined, comments dropped.</summary>
    private static List<Instruction> Instructions(string dockerfile)
    {
        var text = string.Join('\n', File.ReadAllLines(InfraTools.Path(dockerfile)).Where(l => !l.TrimStart().StartsWith('#')));
        return [.. text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim()).Where(l => l.Length > 0)
            .Select(l => new Instruction(l.Split(' ')[0].ToUpperInvariant(), l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim()))];
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"src/[\w/]+\.csproj")]
    private static partial Regex Project();

    [GeneratedRegex(@"^\s+([A-Z_]+)=", RegexOptions.Multiline)]
    private static partial Regex BuildArg();

    [GeneratedRegex(@"file: (\S+)")]
    private static partial Regex FileOption();
}
