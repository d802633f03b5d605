using System.Net;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The Hangfire dashboard sits behind the app's sign-in; only operators may change jobs there.</summary>
public sealed class DashboardTests(ProductionWebAppFactory factory) : IClassFixture<ProductionWebAppFactory>
{
    [Fact]
    public async Task With_anonymous_read_on_the_dashboard_shows_jobs_read_only_to_visitors_and_fully_to_operators()
    {
        using var operatorClient = factory.CreateAuthorizedClient();
        await factory.SubmitAsync(operatorClient, new { name = "listed", epochs = 1 }); // no worker: its job stays enqueued
        using var anonymous = factory.CreateClient(new() { AllowAutoRedirect = false });
        var readOnly = await anonymous.GetStringAsync("/hangfire/jobs/enqueued/training", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("js-jobs-list-command", readOnly, StringComparison.Ordinal);

        var full = await operatorClient.GetStringAsync("/hangfire/jobs/enqueued/training", TestContext.Current.CancellationToken);
        Assert.Contains("js-jobs-list-command", full, StringComparison.Ordinal);
    }
}
