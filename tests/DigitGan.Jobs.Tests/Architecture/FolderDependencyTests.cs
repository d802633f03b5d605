using System.Text.RegularExpressions;
using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Tests.Architecture.Fakes.Model;
using DigitGan.Jobs.Tests.Architecture.Fakes.Training;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.Jobs.Tests.Architecture;

/// <summary>The folders of src/Jobs depend one way: Cli on top, then the services, then Model (and Shared, another project).</summary>
public sealed partial class FolderDependencyTests
{
    private const string JobsNamespace = "DigitGan.Jobs";
    private const string FakesNamespace = "DigitGan.Jobs.Tests.Architecture.Fakes";

    /// <summary>The folders each folder may use; anything else, a folder missing here included, fails the test.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Cli"] = ["Hosting", "Benchmarks", "Remote", "Training", "Evaluation", "Model"],
        ["Hosting"] = ["Training", "Evaluation", "Model"],
        ["Benchmarks"] = ["Training", "Evaluation", "Model"],
        ["Remote"] = [],
        ["Training"] = ["Evaluation", "Model"],
        ["Evaluation"] = ["Model"],
        ["Model"] = [],
    };

    [Fact]
    public void Jobs_folders_use_only_the_folders_below_them()
    {
        var violations = FolderDependencies.Violations(FolderDependencies.Read(typeof(DigitGanCli).Assembly, JobsNamespace), Allowed);
        Assert.True(violations.Count == 0, "Folder dependencies against the rules: " + string.Join(", ", violations));
    }

    [Fact]
    public void The_rules_have_no_cycles()
    {
        var done = new HashSet<string>();
        void Visit(string folder, string[] path)
        {
            Assert.False(path.Contains(folder), $"cycle: {string.Join(" -> ", path.Append(folder))}");
            if (done.Add(folder))
            {
                foreach (var next in Allowed[folder])
                {
                    Visit(next, [.. path, folder]);
                }
            }
        }

        foreach (var folder in Allowed.Keys)
        {
            Visit(folder, []);
        }
    }

    [Fact]
    public void The_rules_reject_upward_edges_and_unknown_folders()
    {
        (string, string)[] edges = [("Cli", "Training"), ("Training", "Evaluation"), ("Model", "Training"), ("Evaluation", "Training"), ("Training", "Cli"), ("Scratch", "Model"), ("Remote", "Scratch")];
        Assert.Equal(["Evaluation -> Training", "Model -> Training", "Remote -> Scratch", "Scratch -> Model", "Training -> Cli"], FolderDependencies.Violations(edges, Allowed));
    }

    [Fact]
    public void The_scan_sees_the_edges_the_code_has()
    {
        var edges = FolderDependencies.Read(typeof(DigitGanCli).Assembly, JobsNamespace);
        Assert.Superset(
            new HashSet<(string, string)> { ("Cli", "Training"), ("Cli", "Evaluation"), ("Cli", "Hosting"), ("Cli", "Benchmarks"), ("Cli", "Remote"), ("Cli", "Model"), ("Training", "Evaluation"), ("Training", "Model"), ("Evaluation", "Model"), ("Hosting", "Training"), ("Benchmarks", "Training") },
            new HashSet<(string, string)>(edges));
    }

    [Theory]
    [InlineData(typeof(ReadsTrainerInABody))]
    [InlineData(typeof(CallsTrainerInALambda))]
    [InlineData(typeof(HoldsTrainers))]
    [InlineData(typeof(ExtendsTrainer))]
    public void A_use_of_a_higher_folder_is_seen_wherever_it_is(Type user) => Assert.Contains(typeof(FakeTrainer), FolderDependencies.TypesUsedBy(user));

    [Fact]
    public void A_lower_folder_that_uses_a_higher_one_fails_the_rules()
    {
        var edges = FolderDependencies.Read(typeof(FakeTrainer).Assembly, FakesNamespace);
        Assert.Equal(new[] { ("Model", "Training") }, edges);
        Assert.Equal(["Model -> Training"], FolderDependencies.Violations(edges, new Dictionary<string, string[]> { ["Training"] = ["Model"], ["Model"] = [] }));
    }

    /// <summary>Each file's namespace is its folder's, so the namespaces the scan reads are the folders.</summary>
    [Fact]
    public void Every_file_in_src_Jobs_declares_its_folder_as_namespace()
    {
        var root = Path.Combine(RepoPaths.Root, "src", "Jobs");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!);
            var declared = NamespaceLine().Match(File.ReadAllText(file)) is { Success: true } match ? match.Groups[1].Value : null;
            Assert.Equal(folder == "." ? null : $"{JobsNamespace}.{folder.Replace(Path.DirectorySeparatorChar, '.')}", declared);
        }
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
