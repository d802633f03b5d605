using System.Text.RegularExpressions;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>What the code and the docs cite lives in this repository.</summary>
public sealed partial class DocumentationTests
{
    private static readonly string[] Roots = ["src", "docs", "infra", "scripts", ".github", "build", "README.md"];

    public static IEnumerable<string> Files() => Roots
        .Select(root => InfraTools.Path(root))
        .SelectMany(path => File.Exists(path) ? [path] : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && Path.GetExtension(file) is ".cs" or ".md" or ".razor" or ".sh" or ".bicep" or ".yml" or ".json" or ".mjs" or "" or ".bicepparam");

    [Fact]
    public void No_file_cites_a_note_outside_the_repository()
    {
        var offenders = Files()
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
            .Where(x => OutsideNote().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.file)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, string.Join('\n', offenders));
    }

    [Fact]
    public void Every_cited_document_under_docs_exists()
    {
        var missing = Files()
            .SelectMany(file => DocsPath().Matches(File.ReadAllText(file)).Select(m => (file, path: m.Value)))
            .Where(x => !File.Exists(InfraTools.Path(x.path.Split('/'))))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.file)} cites {x.path}")
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [Theory]
    [InlineData("see shared/MODEL.md", true)]
    [InlineData("(DESIGN.md's blob layout)", true)]
    [InlineData("src/Shared/Runs/RunSpec.cs", false)]
    [InlineData("docs/architecture.md", false)]
    public void The_outside_note_pattern_finds_what_it_should(string line, bool outside) => Assert.Equal(outside, OutsideNote().IsMatch(line));

    // shared/ (lower case) is the team's reference folder beside the repository, not part of it.
    [GeneratedRegex(@"(?<![A-Za-z0-9_.-])shared/|\b(DESIGN|MODEL|ENVIRONMENT)\.md\b")]
    private static partial Regex OutsideNote();

    [GeneratedRegex(@"(?<![A-Za-z0-9_/-])docs/[A-Za-z0-9_./-]+\.md\b")]
    private static partial Regex DocsPath();
}
