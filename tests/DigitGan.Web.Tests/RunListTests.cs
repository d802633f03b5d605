using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>GET /api/runs with several tags, a name search and a filter expression, and the same list as CSV.</summary>
public sealed class RunListTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tags_search_and_a_filter_narrow_the_list_and_the_csv_has_the_same_rows()
    {
        using var client = factory.CreateAuthorizedClient();
        var high = await factory.SubmitAsync(client, new { name = "Sweep-High", tags = new[] { "list-a", "list-b" }, learningRate = 3e-4, epochs = 2 });
        await factory.SubmitAsync(client, new { name = "sweep-low", tags = new[] { "list-a", "list-b" }, learningRate = 1e-4, epochs = 2 });
        await factory.SubmitAsync(client, new { name = "sweep-other", tags = new[] { "list-a" }, learningRate = 3e-4, epochs = 2 });

        async Task<string[]> NamesAsync(string query)
            => [.. (await client.GetFromJsonAsync<RunPage>($"/api/runs?{query}", WebAppFactory.Json, Ct))!.Runs.Select(r => r.Name).Order()];

        Assert.Equal(["Sweep-High", "sweep-low", "sweep-other"], await NamesAsync("tag=list-a"));
        Assert.Equal(["Sweep-High", "sweep-low"], await NamesAsync("tag=list-a&tag=list-b"));
        Assert.Equal(["Sweep-High"], await NamesAsync("tag=list-a&search=high"));
        var filter = Uri.EscapeDataString("learningRate >= 2e-4 and epochs = 2 and status = queued");
        Assert.Equal(["Sweep-High", "sweep-other"], await NamesAsync($"tag=list-a&filter={filter}"));
        Assert.Equal(["Sweep-High"], await NamesAsync($"tag=list-b&filter={filter}"));

        using var csv = await client.GetAsync($"/api/runs/csv?tag=list-b&filter={filter}", Ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".csv", csv.Content.Headers.ContentDisposition?.FileNameStar ?? csv.Content.Headers.ContentDisposition?.FileName);
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("runId,name,tags,status,epoch,totalEpochs,finalFid,bestFid,is,classes,minutes,imagesPerSecond", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{high.RunId},Sweep-High,list-a list-b,Queued,0,2,", lines[1], StringComparison.Ordinal);

        // Two listed runs that differ in learning rate: the CSV gets that column, not the shared ones.
        var both = (await client.GetStringAsync("/api/runs/csv?tag=list-b", Ct)).Split("\r\n")[0].Split(',');
        Assert.Contains("learningRate", both);
        Assert.DoesNotContain("epochs", both);
    }

    [Theory]
    [InlineData("/api/runs?filter=fid%20%3C", "Position 6")]
    [InlineData("/api/runs?filter=learningRate%20%3E%3D%202e-4%20and%20fdi%20%3C%2030", "Position 26: Unknown field 'fdi'")]
    [InlineData("/api/runs/csv?filter=(fid%20%3C%2030", "Position 10: Expected ')'")]
    public async Task A_bad_filter_is_a_400_naming_filter_and_the_position(string url, string message)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["filter"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains(message, errors.GetProperty("filter")[0].GetString(), StringComparison.Ordinal);
    }
}
