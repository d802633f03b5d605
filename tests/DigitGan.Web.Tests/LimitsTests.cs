using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>Every input is bounded: spec fields (400 naming the field), queued runs and submit rate (429), body size (413), in words not types.</summary>
public sealed class LimitsTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> BadFields => new()
    {
        { JsonSerializer.Serialize(new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}") }), "tags" },
        { JsonSerializer.Serialize(new { tags = new[] { new string('a', 41) } }), "tags" },
        { JsonSerializer.Serialize(new { tags = new[] { "fine", "not fine!" } }), "tags" },
        { JsonSerializer.Serialize(new { name = "nul\0inside" }), "name" },
        { JsonSerializer.Serialize(new { name = "two\r\nlines" }), "name" },
        { JsonSerializer.Serialize(new { name = "evil\u202Egnp.exe" }), "name" },
        { JsonSerializer.Serialize(new { name = new string('n', 101) }), "name" },
        { JsonSerializer.Serialize(new { notes = new string('x', 10_001) }), "notes" },
        { "{\"tags\":null}", "tags" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Values_outside_the_limits_are_400s_naming_the_field(string body, string field)
    {
        using var client = factory.CreateAuthorizedClient();
        using var response = await client.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Notes_up_to_ten_thousand_characters_and_twenty_tags_are_accepted()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "long-notes", notes = new string('x', 10_000), tags = Enumerable.Range(0, 20).Select(i => $"tag-{i}.v_{i}"), epochs = 1 });
        Assert.Equal(20, run.Spec.Tags.Count);
    }

    [Theory]
    [InlineData("{\"epochs\":\"many\"}", "epochs", "integer")]
    [InlineData("{\"learningRate\":\"fast\"}", "learningRate", "number")]
    [InlineData("{\"tags\":\"one\"}", "tags", "array")]
    [InlineData("{\"trainSubset\":1.5}", "trainSubset", "integer")]
    public async Task Type_errors_speak_of_the_field_and_value_not_of_dotnet_types(string body, string field, string expected)
    {
        using var client = factory.CreateAuthorizedClient();
        using var response = await client.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DigitGan.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_far_above_any_spec_is_refused_with_413()
    {
        using var client = factory.CreateAuthorizedClient();
        var body = JsonSerializer.Serialize(new { name = "big", notes = new string('x', 2_000_000) });
        using var response = await client.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("KB", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Above_the_queued_runs_cap_a_submit_is_a_429_with_retry_after()
    {
        using var limited = new LimitedWebAppFactory();
        using var client = limited.CreateAuthorizedClient();
        var runs = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add((await limited.SubmitAsync(client, new { name = $"queued-{i}", epochs = 1 })).RunId);
        }

        using var refused = await client.PostAsJsonAsync("/api/runs", new { name = "one-too-many", epochs = 1 }, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Contains("3 queued runs", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var cancel = await client.PostAsync($"/api/runs/{runs[0]}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await limited.SubmitAsync(client, new { name = "room-again", epochs = 1 });
    }

    [Fact]
    public async Task Submits_above_the_rate_limit_are_429s_with_retry_after()
    {
        using var limited = new LimitedWebAppFactory();
        using var client = limited.CreateAuthorizedClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            // Invalid specs: the queued-runs cap never applies, only the rate limit does.
            using var response = await client.PostAsJsonAsync("/api/runs", new { name = "", epochs = 1 }, Ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Contains("submits", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            }
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.BadRequest), 5, 6);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
