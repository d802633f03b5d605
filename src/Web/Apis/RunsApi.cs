using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Export;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Apis;

/// <summary>The runs REST API: submit, list, read, edit, cancel, delete, and the run's artifacts.</summary>
public static class RunsApi
{
    public static RouteGroupBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        // Reads follow the viewer policy (anonymous read on or off); writes need an operator, checked here and again in RunService.
        var api = app.MapGroup("/api/runs").WithTags("Runs").RequireAuthorization(DigitGanRoles.ViewerPolicy);
        api.MapPost("/", SubmitRun).RequireAuthorization(DigitGanRoles.OperatorPolicy).RequireRateLimiting(SubmitRateLimit.Policy)
            .Accepts<RunSpec>("application/json")
            .WithSummary("Submit a run").WithDescription("Validates the spec, stores the run as Queued and enqueues its training job. Operators only (X-Api-Key, a bearer token or a signed-in session).");
        api.MapGet("/", ListRuns).WithSummary("List runs, newest first: by status, tags (repeat tag: runs with all of them), search (text in the name) and filter (an expression over parameters and metrics, e.g. learningRate >= 2e-4 and fid < 30); page and pageSize");
        api.MapGet("/csv", ExportCsv).WithSummary("The runs that the same status, tag, search and filter parameters list, all of them, as CSV (the runs table's columns)");
        api.MapGet("/{id:guid}", GetRun).WithSummary("A run's manifest: spec, status, progress, latest metrics, health flags");
        api.MapPatch("/{id:guid}", EditRun).RequireAuthorization(DigitGanRoles.OperatorPolicy).Accepts<RunEdit>("application/json")
            .WithSummary("Edit a run's name, tags or notes").WithDescription("A JSON object with any of name, tags and notes (null or \"\" clears the notes), checked by the submit's rules. The training fields cannot change: sending one is a 400 naming it. Operators only.");
        api.MapPost("/{id:guid}/cancel", CancelRun).RequireAuthorization(DigitGanRoles.OperatorPolicy).WithSummary("Cancel a run (a running one stops within seconds). Operators only.");
        api.MapDelete("/{id:guid}", DeleteRun).RequireAuthorization(DigitGanRoles.OperatorPolicy).WithSummary("Cancel and delete a run with all its artifacts. Operators only.");
        api.MapGet("/{id:guid}/metrics", GetMetrics).WithSummary("metrics.jsonl: one JSON object per line (step, epoch, evaluation, health)");
        api.MapGet("/{id:guid}/samples/{epoch:int}.png", GetSample).WithSummary("The sample grid of an epoch (PNG)");
        api.MapGet("/{id:guid}/samples/{epoch:int}/cells/{cell:int}.png", GetSampleCell).WithSummary("One of the 16 fixed-noise digits (cell 0-15, row by row) of an epoch's grid, 28x28 PNG");
        api.MapGet("/{id:guid}/gif", GetGif).WithSummary("All epoch grids as an animated GIF (written when the run ends)");
        api.MapGet("/{id:guid}/checkpoints", ListCheckpoints).WithSummary("The run's checkpoints: numbered ones and latest");
        api.MapMethods("/{id:guid}/checkpoints/{name}", [HttpMethods.Get, HttpMethods.Head], DownloadCheckpoint)
            .WithSummary("Download a checkpoint ('latest' or an epoch number), streamed; HEAD, Range and If-None-Match (304) supported");
        api.MapGet("/{id:guid}/checkpoints/{name}/generator.safetensors", ExportGenerator)
            .WithSummary("A checkpoint's generator ('latest' or an epoch number) as safetensors, with BatchNorm statistics, for the PyTorch module in docs/export.md");
        return api;
    }

    public static async Task<Results<Created<RunManifest>, ValidationProblem, ProblemHttpResult>> SubmitRun(HttpRequest request, ClaimsPrincipal user, RunService runs,
        IOptions<DigitGanOptions> options, CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.Limits.MaxSpecBytes;
        var body = await ReadCappedAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge("The run spec is too large", "A run spec", maxBytes, "shorten the notes or the tags");
        }

        RunSpec? spec;
        try
        {
            if (JsonNode.Parse(body) is JsonObject json && json["preset"] is JsonValue presetValue && presetValue.TryGetValue<string>(out var preset))
            {
                if (!RunPresets.IsKnown(preset))
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["preset"] = [$"Preset must be one of {string.Join(", ", RunPresets.Names)} (got '{(preset.Length > 40 ? preset[..40] + "..." : preset)}')."] });
                }

                body = WithPreset(json, preset);
            }

            spec = JsonSerializer.Deserialize<RunSpec>(body, ArtifactJson.Options);
        }
        catch (JsonException ex)
        {
            var (field, message) = DescribeJsonError(ex);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
        }

        if (spec is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a run spec as a JSON object, e.g. {\"name\":\"my-run\",\"epochs\":5}."] });
        }

        var manifest = await runs.SubmitAsync(spec, user, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/runs/{manifest.RunId}", manifest);
    }

    /// <summary>The preset's spec with every property the body gives put over it: a preset plus the fields a client changes.</summary>
    private static byte[] WithPreset(JsonObject body, string preset)
    {
        var merged = JsonSerializer.SerializeToNode(RunPresets.Get(preset), ArtifactJson.Options)!.AsObject();
        foreach (var (name, value) in body)
        {
            // Names match as the deserializer matches them: in any case.
            if (merged.Select(p => p.Key).FirstOrDefault(key => string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) is { } existing)
            {
                merged.Remove(existing);
            }

            merged[name] = value?.DeepClone();
        }

        return JsonSerializer.SerializeToUtf8Bytes(merged, ArtifactJson.Options);
    }

    /// <summary>The 413 for a body over the limit, saying the limit and what to shorten.</summary>
    private static ProblemHttpResult TooLarge(string title, string what, int maxBytes, string fix) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: title,
            detail: string.Create(CultureInfo.InvariantCulture, $"{what} is at most {maxBytes / 1024:N0} KB of JSON; {fix}."));

    /// <summary>The request body, or null when it is longer than <paramref name="maxBytes"/> (it is never read further).</summary>
    internal static async Task<byte[]?> ReadCappedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The field a JSON error is about and what it expects there, in the API's words rather than .NET's.</summary>
    private static (string Field, string Message) DescribeJsonError(JsonException ex)
    {
        var path = ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "";
        var field = path.Split('.', '[')[0];
        if (RunSpecSchema.Find(field) is { } known)
        {
            var expected = known.Kind == RunSpecFieldKind.Choice ? $"one of {string.Join(", ", known.Choices)}" : known.JsonType.Replace("`", "", StringComparison.Ordinal);
            return (field, $"Invalid value for '{path}': expected {expected} ({known.Limits}).");
        }

        // Syntax errors say where the JSON breaks; type errors of unknown members would name .NET types, so they do not.
        var syntax = ex.Message.Contains("could not be converted", StringComparison.Ordinal) || ex.Message.Contains("type '", StringComparison.Ordinal)
            ? "a value does not have the type the run spec expects there."
            : ex.Message.Split(" Path:")[0];
        return (path.Length == 0 ? "body" : path, $"Invalid JSON: {syntax} docs/run-spec.md lists every field.");
    }

    public static async Task<Results<Ok<RunPage>, ValidationProblem>> ListRuns(RunService runs, CancellationToken cancellationToken,
        [FromQuery] string? status = null, [FromQuery] string[]? tag = null, [FromQuery] string? search = null, [FromQuery] string? filter = null,
        [FromQuery] int page = 1, [FromQuery] int pageSize = 50)
    {
        var (query, errors) = BuildQuery(status, tag, search, filter);
        if (page is < 1 or > RunQuery.MaxPage)
        {
            errors["page"] = [$"Page must be between 1 and {RunQuery.MaxPage:N0}."];
        }

        if (pageSize is < 1 or > RunQuery.MaxPageSize)
        {
            errors["pageSize"] = [$"Page size must be between 1 and {RunQuery.MaxPageSize}."];
        }

        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await runs.ListAsync(query with { Page = page, PageSize = pageSize }, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportCsv(RunService runs, CancellationToken cancellationToken,
        [FromQuery] string? status = null, [FromQuery] string[]? tag = null, [FromQuery] string? search = null, [FromQuery] string? filter = null)
    {
        var (query, errors) = BuildQuery(status, tag, search, filter);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = await runs.ListAllAsync(query, cancellationToken).ConfigureAwait(false);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(RunTable.ToCsv(rows)), "text/csv; charset=utf-8",
            string.Create(CultureInfo.InvariantCulture, $"digitgan-runs-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.csv"));
    }

    /// <summary>The list's conditions from the query string, and the problems by parameter (a filter's names its position).</summary>
    private static (RunQuery Query, Dictionary<string, string[]> Errors) BuildQuery(string? status, string[]? tag, string? search, string? filter)
    {
        var errors = new Dictionary<string, string[]>();
        RunStatus? parsed = null;
        if (status is not null)
        {
            if (Enum.TryParse<RunStatus>(status, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(status, out _))
            {
                parsed = value;
            }
            else
            {
                errors["status"] = [$"Unknown status '{status}'; use one of {string.Join(", ", Enum.GetNames<RunStatus>())}."];
            }
        }

        RunFilter? parsedFilter = null;
        try
        {
            parsedFilter = RunFilter.Parse(filter);
        }
        catch (RunFilterException ex)
        {
            errors["filter"] = [$"{ex.Message} (in '{filter}'; e.g. learningRate >= 2e-4 and fid < 30)."];
        }

        return (new RunQuery { Status = parsed, Tags = tag ?? [], Search = search, Filter = parsedFilter }, errors);
    }

    public static async Task<Results<Ok<RunManifest>, NotFound<ProblemDetails>>> GetRun(Guid id, RunService runs, CancellationToken cancellationToken)
        => await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } manifest ? TypedResults.Ok(manifest) : RunNotFound(id);

    public static async Task<Results<Ok<RunManifest>, ProblemHttpResult>> EditRun(Guid id, HttpRequest request, ClaimsPrincipal user, RunService runs,
        IOptions<DigitGanOptions> options, CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.Limits.MaxSpecBytes;
        var body = await ReadCappedAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge("The edit is too large", "An edit", maxBytes, "shorten the notes");
        }

        // A bad body or field throws RunSpecException (a 400 naming the field); an unknown run is a 404, a damaged one a 409.
        var edit = RunEdit.Parse(body);
        return TypedResults.Ok(await runs.EditAsync(id, edit, user, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Accepted<RunManifest>, Ok<RunManifest>, NotFound<ProblemDetails>>> CancelRun(Guid id, ClaimsPrincipal user, RunService runs, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return RunNotFound(id);
        }

        var manifest = await runs.CancelAsync(id, user, cancellationToken).ConfigureAwait(false);
        return manifest.IsFinished ? TypedResults.Ok(manifest) : TypedResults.Accepted($"/api/runs/{id}", manifest);
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteRun(Guid id, ClaimsPrincipal user, RunService runs, CancellationToken cancellationToken)
        => await runs.DeleteAsync(id, user, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : RunNotFound(id);

    public static Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> GetMetrics(Guid id, RunService runs, CancellationToken cancellationToken)
        => StreamAsync(runs, id, RunArtifactLayout.Metrics(id), "application/x-ndjson", null, "no metrics yet", cancellationToken);

    public static Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> GetSample(Guid id, int epoch, RunService runs, CancellationToken cancellationToken)
        => epoch < 1
            ? Task.FromResult<Results<FileStreamHttpResult, NotFound<ProblemDetails>>>(NotFoundProblem($"Epochs start at 1 (got {epoch})."))
            : StreamAsync(runs, id, RunArtifactLayout.Sample(id, epoch), "image/png", null, $"no sample grid of epoch {epoch}", cancellationToken);

    public static async Task<Results<FileContentHttpResult, NotFound<ProblemDetails>>> GetSampleCell(Guid id, int epoch, int cell, RunService runs, CancellationToken cancellationToken)
    {
        if (cell is < 0 or >= SampleGridLayout.Cells || epoch < 1)
        {
            return NotFoundProblem($"Cells are 0-{SampleGridLayout.Cells - 1} and epochs start at 1 (got cell {cell}, epoch {epoch}).");
        }

        return await runs.GetSampleCellAsync(id, epoch, cell, cancellationToken).ConfigureAwait(false) is { } png
            ? TypedResults.File(png, "image/png")
            : await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is null ? RunNotFound(id) : NotFoundProblem($"Run {id} has no sample grid of epoch {epoch}.");
    }

    public static Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> GetGif(Guid id, RunService runs, CancellationToken cancellationToken)
        => StreamAsync(runs, id, RunArtifactLayout.Gif(id), "image/gif", null, "no GIF yet (it is written when the run ends)", cancellationToken);

    public static async Task<Results<Ok<IReadOnlyList<CheckpointFile>>, NotFound<ProblemDetails>>> ListCheckpoints(Guid id, RunService runs, CancellationToken cancellationToken)
        => await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is null
            ? RunNotFound(id)
            : TypedResults.Ok(await runs.ListCheckpointsAsync(id, cancellationToken).ConfigureAwait(false));

    public static async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> DownloadCheckpoint(Guid id, string name, RunService runs, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return RunNotFound(id);
        }

        var reader = await runs.OpenCheckpointAsync(id, name, cancellationToken).ConfigureAwait(false);
        if (reader is null)
        {
            return NotFoundProblem($"Run {id} has no checkpoint '{name}'; GET /api/runs/{id}/checkpoints lists them ('latest' or an epoch number).");
        }

        var fileName = $"{manifest.Spec.Name}-{id:N}-{(name == "latest" ? "latest" : $"epoch-{int.Parse(name, System.Globalization.CultureInfo.InvariantCulture):D4}")}.ckpt";
        // Both stores give a seekable stream: a Range request reads just its bytes (a ranged blob download on Blob storage).
        return TypedResults.Stream(reader.Content, "application/octet-stream", fileName, reader.Info.LastModified,
            new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{reader.Info.ETag.Trim('"')}\""), enableRangeProcessing: true);
    }

    public static async Task<Results<FileContentHttpResult, NotFound<ProblemDetails>, ProblemHttpResult>> ExportGenerator(Guid id, string name, RunService runs, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return RunNotFound(id);
        }

        GeneratorFile? exported;
        try
        {
            exported = await runs.ExportGeneratorAsync(id, name, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The checkpoint cannot be exported", detail: ex.Message);
        }

        return exported is null
            ? NotFoundProblem($"Run {id} has no checkpoint '{name}'; GET /api/runs/{id}/checkpoints lists them ('latest' or an epoch number).")
            : TypedResults.File(exported.SafeTensors, "application/octet-stream", $"{manifest.Spec.Name}-{id:N}-epoch-{exported.Epoch:D4}-generator.safetensors");
    }

    private static async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> StreamAsync(RunService runs, Guid id, string path, string contentType, string? fileName, string missing, CancellationToken cancellationToken)
    {
        var reader = await runs.Store.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (reader is not null)
        {
            return TypedResults.Stream(reader.Content, contentType, fileName, reader.Info.LastModified);
        }

        return await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) is null ? RunNotFound(id) : NotFoundProblem($"Run {id} has {missing}.");
    }

    private static NotFound<ProblemDetails> RunNotFound(Guid id) => NotFoundProblem($"Run {id} does not exist.");

    private static NotFound<ProblemDetails> NotFoundProblem(string detail) =>
        TypedResults.NotFound(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = detail });
}
