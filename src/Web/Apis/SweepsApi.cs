using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Apis;

/// <summary>The sweeps REST API: create, list, read and stop sweeps (docs/sweeps.md).</summary>
public static class SweepsApi
{
    public static RouteGroupBuilder MapSweepsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sweeps").WithTags("Sweeps").RequireAuthorization(DigitGanRoles.ViewerPolicy);
        api.MapPost("/", CreateSweep).RequireAuthorization(DigitGanRoles.OperatorPolicy).RequireRateLimiting(SubmitRateLimit.Policy)
            .Accepts<SweepSpec>("application/json")
            .WithSummary("Create a sweep").WithDescription("A base run spec, axes over its fields (grid values, or uniform / log-uniform draws for a number of trials) and optional successive halving (asha). The app's coordinator submits the runs. A bad field is a 400 naming it, e.g. axes[0].field. Operators only.");
        api.MapGet("/", ListSweeps).WithSummary("Every sweep, newest first, with its trials");
        api.MapGet("/{id:guid}", GetSweep).WithSummary("A sweep: spec, status, trials with their run ids, axis values and rung decisions");
        api.MapPost("/{id:guid}/stop", StopSweep).RequireAuthorization(DigitGanRoles.OperatorPolicy).WithSummary("Stop a sweep: cancel its queued and running runs; the rest are never submitted. Operators only.");
        return api;
    }

    public static async Task<Results<Created<SweepManifest>, ValidationProblem, ProblemHttpResult>> CreateSweep(HttpRequest request, ClaimsPrincipal user, SweepService sweeps,
        IOptions<DigitGanOptions> options, CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.Limits.MaxSpecBytes;
        var body = await RunsApi.ReadCappedAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The sweep spec is too large",
                detail: string.Create(CultureInfo.InvariantCulture, $"A sweep spec is at most {maxBytes / 1024:N0} KB of JSON."));
        }

        SweepSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<SweepSpec>(body, ArtifactJson.Options);
        }
        catch (JsonException ex)
        {
            var (field, message) = DescribeJsonError(ex);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The sweep spec is invalid");
        }

        if (spec is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a sweep spec as a JSON object, e.g. {\"name\":\"lr\",\"base\":{\"epochs\":5},\"axes\":[{\"field\":\"learningRate\",\"values\":[1e-4,2e-4]}]}."] },
                title: "The sweep spec is invalid");
        }

        var sweep = await sweeps.CreateAsync(spec, user, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/sweeps/{sweep.SweepId}", sweep);
    }

    /// <summary>The field path a JSON error is about (e.g. axes[0].min, base.epochs) and what is wrong there.</summary>
    internal static (string Field, string Message) DescribeJsonError(JsonException ex)
    {
        var path = ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "";
        var syntax = ex.Message.Contains("could not be converted", StringComparison.Ordinal) || ex.Message.Contains("type '", StringComparison.Ordinal)
            ? "the value does not have the type this field takes."
            : ex.Message.Split(" Path:")[0];
        return (path.Length == 0 ? "body" : path, $"Invalid JSON at '{(path.Length == 0 ? "$" : path)}': {syntax} docs/sweeps.md lists every field.");
    }

    public static async Task<Ok<IReadOnlyList<SweepManifest>>> ListSweeps(SweepService sweeps, CancellationToken cancellationToken)
        => TypedResults.Ok(await sweeps.ListAsync(cancellationToken).ConfigureAwait(false));

    public static async Task<Results<Ok<SweepManifest>, NotFound<ProblemDetails>>> GetSweep(Guid id, SweepService sweeps, CancellationToken cancellationToken)
        => await sweeps.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } sweep ? TypedResults.Ok(sweep) : NotFound(id);

    public static async Task<Results<Ok<SweepManifest>, NotFound<ProblemDetails>>> StopSweep(Guid id, ClaimsPrincipal user, SweepService sweeps, CancellationToken cancellationToken)
        => await sweeps.StopAsync(id, user, cancellationToken).ConfigureAwait(false) is { } sweep ? TypedResults.Ok(sweep) : NotFound(id);

    private static NotFound<ProblemDetails> NotFound(Guid id) =>
        TypedResults.NotFound(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = $"Sweep {id} does not exist." });
}
