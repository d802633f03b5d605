using DigitGan.Jobs.Cli;
using DigitGan.Shared.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The CLI's `sweep` verb against the web app on a real port: a YAML or JSON file becomes a sweep.</summary>
public sealed class CliSweepTests(KestrelWebAppFactory factory) : IClassFixture<KestrelWebAppFactory>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("digitgan-sweep-cli-").FullName;

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DigitGanCli.RunAsync([.. args, "--url", factory.Address.ToString(), "--api-key", WebAppFactory.Key], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_yaml_file_creates_the_sweep_with_numbers_strings_and_choices_as_written()
    {
        var file = Path.Combine(_folder, "lr.yaml");
        await File.WriteAllTextAsync(file, """
            # two learning rates, two losses, one seed
            name: from-yaml
            base:
              epochs: 3
              batchSize: 32
              trainSubset: 64
              tags: [cli-sweep]
            axes:
              - field: learningRate
                values: [1e-4, 0.0002]
              - field: loss
                values: [Bce, "Hinge"]
              - field: seed
                values: [7]
            asha:
              metric: InceptionScore
              reductionFactor: 2
            """, TestContext.Current.CancellationToken);

        var (code, output, error) = await CliAsync("sweep", file);

        Assert.True(code == 0, error);
        var id = Guid.Parse(output.Split(' ')[1]);
        var sweep = await factory.Services.GetRequiredService<SweepRepository>().GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal("from-yaml", sweep!.Spec.Name);
        Assert.Contains("4 runs", output, StringComparison.Ordinal);
        Assert.Equal([(1e-4, "Bce"), (1e-4, "Hinge"), (2e-4, "Bce"), (2e-4, "Hinge")], sweep.Trials.Select(t => (t.Spec.LearningRate, t.Spec.Loss.ToString())));
        Assert.All(sweep.Trials, t => Assert.Equal((3, 7L), (t.Spec.Epochs, t.Spec.Seed)));
        Assert.Equal(SweepMetric.InceptionScore, sweep.Spec.Asha!.Metric);
    }

    [Fact]
    public async Task A_bad_json_file_prints_the_fields_at_fault_and_exits_1()
    {
        var file = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(file, """{"base":{"epochs":2},"axes":[{"field":"colour","values":[1]}]}""", TestContext.Current.CancellationToken);

        var (code, _, error) = await CliAsync("sweep", file);

        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("error: axes[0].field: 'colour' is not a field a sweep can vary", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_yaml_is_a_usage_error_naming_the_line()
    {
        var file = Path.Combine(_folder, "broken.yml");
        await File.WriteAllTextAsync(file, "name: x\naxes: [\n", TestContext.Current.CancellationToken);

        var (code, _, error) = await CliAsync("sweep", file);

        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains("is not valid YAML (line", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
