using System.Text.RegularExpressions;
using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>
/// Every image the Dockerfiles build from and the workflows build with or run in is a published tag
/// (infra/images/published-tags.txt, with its sources): .NET 10 has Ubuntu 24.04 (noble), Alpine and Azure Linux
/// tags only, so a Debian tag would fail at the first `docker build`.
/// </summary>
public sealed partial class ImageTagTests
{
    private static readonly string[] Workflows = ["ci.yml", "deploy.yml", "nightly-training.yml"];

    public static TheoryData<string> Dockerfiles() => ["src/Web/Dockerfile", "src/Jobs/Dockerfile"];

    [Fact]
    public void The_list_names_its_sources_and_has_no_debian_dotnet_tag()
    {
        var text = File.ReadAllText(InfraTools.Path("infra", "images", "published-tags.txt"));
        Assert.Contains("mcr.microsoft.com/v2/dotnet/", text, StringComparison.Ordinal);
        Assert.Contains("hub.docker.com/r/nvidia/cuda", text, StringComparison.Ordinal);
        Assert.Contains("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", Published());
        Assert.DoesNotContain(Published(), tag => tag.StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal) && (tag.Contains("bookworm", StringComparison.Ordinal) || tag.Contains("trixie", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_base_image_of_a_dockerfile_is_a_published_tag(string dockerfile)
    {
        var images = BaseImages(File.ReadAllText(InfraTools.Path(dockerfile)));
        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.True(Published().Contains(image), $"{dockerfile}: {image} is not in infra/images/published-tags.txt"));
    }

    [Fact]
    public void The_images_are_noble_and_the_web_runtime_is_chiseled()
    {
        var web = BaseImages(File.ReadAllText(InfraTools.Path("src", "Web", "Dockerfile")));
        var worker = BaseImages(File.ReadAllText(InfraTools.Path("src", "Jobs", "Dockerfile")));
        Assert.Contains("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", web);
        Assert.All(web.Concat(worker), image => Assert.Contains("-noble", image, StringComparison.Ordinal));
    }

    [Fact]
    public void The_workflows_build_with_and_run_in_published_images()
    {
        var images = Workflows.SelectMany(name => WorkflowImage().Matches(File.ReadAllText(InfraTools.Path(".github", "workflows", name))).Select(m => m.Groups[1].Value)).ToList();
        Assert.Contains("debian:12", images); // the CI job's container
        Assert.Contains("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04", images); // the CUDA worker's base
        Assert.All(images, image => Assert.True(Published().Contains(image), $"a workflow uses {image}, which is not in infra/images/published-tags.txt"));
    }

    [Fact]
    public void The_check_is_real_it_flags_a_debian_dotnet_tag()
    {
        var images = BaseImages("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim\nFROM ${SDK_IMAGE} AS build\nFROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled\n");
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"], images);
        Assert.DoesNotContain(images[0], Published());
    }

    [Fact]
    public void The_cuda_stage_installs_what_dotnet_needs_where_the_base_lacks_it()
    {
        var worker = File.ReadAllText(InfraTools.Path("src", "Jobs", "Dockerfile"));
        foreach (var package in new[] { "libicu74", "libssl3t64", "zlib1g", "libstdc++6", "ca-certificates", "tzdata" })
        {
            Assert.Contains(package, worker, StringComparison.Ordinal);
        }

        Assert.Contains("if [ ! -x /usr/share/dotnet/dotnet ]", worker, StringComparison.Ordinal);
        Assert.DoesNotContain("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", worker, StringComparison.Ordinal);
    }

    /// <summary>The published tags, one a line; # starts a comment.</summary>
    private static HashSet<string> Published() => [.. File.ReadAllLines(InfraTools.Path("infra", "images", "published-tags.txt"))
        .Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0)];

    /// <summary>Every image a Dockerfile's FROM lines start from, ${ARG}s replaced by their defaults; stage names skipped.</summary>
    private static List<string> BaseImages(string dockerfile)
    {
        var lines = dockerfile.Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToList();
        var defaults = lines.Select(l => ArgDefault().Match(l)).Where(m => m.Success).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var stages = new HashSet<string>();
        var images = new List<string>();
        foreach (var from in lines.Select(l => From().Match(l)).Where(m => m.Success))
        {
            var image = Variable().Replace(from.Groups[1].Value, v => defaults.TryGetValue(v.Groups[1].Value, out var value) ? value : v.Value);
            if (!stages.Contains(image))
            {
                images.Add(image);
            }

            if (from.Groups[2].Success)
            {
                stages.Add(from.Groups[2].Value);
            }
        }

        return images;
    }

    [GeneratedRegex(@"^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)$")]
    private static partial Regex ArgDefault();

    [GeneratedRegex(@"^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", RegexOptions.IgnoreCase)]
    private static partial Regex From();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();

    /// <summary>`image: X` (a job's container) and `SOMETHING_IMAGE=X` (a build argument) in a workflow.</summary>
    [GeneratedRegex(@"(?:^\s*image:\s*|_IMAGE=)([a-z0-9][a-z0-9./_-]*:[A-Za-z0-9._-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex WorkflowImage();
}
