using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>The web app never trains: it carries no TorchSharp or libtorch, so its image stays small.</summary>
public sealed class WebFootprintTests
{
    private const long MaxPublishBytes = 100L * 1024 * 1024;

    [Fact]
    public void The_web_app_depends_on_no_torchsharp_or_libtorch_package()
    {
        var (exitCode, output) = InfraTools.Run("dotnet", "list", InfraTools.Path("src", "Web", "DigitGan.Web.csproj"), "package", "--include-transitive");
        Assert.True(exitCode == 0, output);
        Assert.Contains("Hangfire.AspNetCore", output, StringComparison.Ordinal); // the listing is real
        Assert.DoesNotContain("TorchSharp", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("libtorch", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_web_apps_publish_output_is_under_100_MB_and_has_no_native_torch_library()
    {
        var output = Directory.CreateTempSubdirectory("digitgan-web-publish-").FullName;
        try
        {
            var (exitCode, log) = InfraTools.Run("dotnet", "publish", InfraTools.Path("src", "Web", "DigitGan.Web.csproj"), "-c", "Release", "--no-build", "-o", output, "-nologo", "-v", "q");
            Assert.True(exitCode == 0, log);
            var files = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
            Assert.Contains(files, f => f.Name == "DigitGan.Web.dll");
            var bytes = files.Sum(f => f.Length);
            Assert.True(bytes < MaxPublishBytes, $"the publish output is {bytes / 1048576.0:F1} MB; largest: {string.Join(", ", files.OrderByDescending(f => f.Length).Take(5).Select(f => $"{f.Name} {f.Length / 1048576.0:F1} MB"))}");
            Assert.DoesNotContain(files, f => f.Name.Contains("torch", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
