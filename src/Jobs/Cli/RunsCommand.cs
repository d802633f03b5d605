using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DigitGan.Jobs.Remote;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `runs list | show | download | cancel | export`: the runs of a DigitGan web app over its REST API (the same
/// --url and --api-key as `submit`); with --json each prints what the API returned, as JSON, for scripts.
/// </summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var command = new Command("runs", "List, show, download, cancel or export the runs of a DigitGan web app through its REST API.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Download());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Export());
        return command;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the API's answer as JSON instead of text." };

    private static Argument<Guid> RunArgument() => new("run") { Description = "The run's id." };

    private static Command List()
    {
        var remote = new RemoteOptions();
        var json = JsonOption();
        var status = new Option<RunStatus?>("--status") { Description = "Only runs with this status." };
        var tags = new Option<string[]>("--tag") { Description = "Only runs with this tag (repeat it: runs with every tag given).", AllowMultipleArgumentsPerToken = false };
        var search = new Option<string?>("--search") { Description = "Only runs whose name contains this text (any case)." };
        var filter = new Option<string?>("--filter") { Description = "Only runs this expression over parameters and metrics keeps, e.g. \"learningRate >= 2e-4 and fid < 30\" (as on the runs page)." };
        var page = DigitGanCli.Option("--page", "The page of results (1 is the newest runs).", 1);
        page.Positive(RunQuery.MaxPage);
        var pageSize = DigitGanCli.Option("--page-size", "Runs per page.", 50);
        pageSize.Positive(RunQuery.MaxPageSize);
        var command = new Command("list", "List runs, newest first.") { json, status, tags, search, filter, page, pageSize };
        AddAll(command, remote.All);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = remote.CreateClient(parse, _ => { });
            var query = new List<KeyValuePair<string, string>>
            {
                new("page", Invariant(parse.GetValue(page))),
                new("pageSize", Invariant(parse.GetValue(pageSize))),
            };
            if (parse.GetValue(status) is { } wanted)
            {
                query.Add(new("status", wanted.ToString()));
            }

            query.AddRange((parse.GetValue(tags) ?? []).Select(tag => new KeyValuePair<string, string>("tag", tag)));
            foreach (var (name, option) in new[] { ("search", search), ("filter", filter) })
            {
                if (parse.GetValue(option) is { Length: > 0 } value)
                {
                    query.Add(new(name, value));
                }
            }

            var result = await ListAsync(client, query, cancellationToken).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(output, result).ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"{"ID",-36}  {"STATUS",-9}  {"EPOCH",-7}  {"BEST FID",8}  NAME [TAGS]").ConfigureAwait(false);
            foreach (var run in result.Runs)
            {
                var fid = run.BestFid is { } best ? best.ToString("0.0", CultureInfo.InvariantCulture) : "-";
                var tagText = run.Tags.Count == 0 ? "" : $" [{string.Join(", ", run.Tags)}]";
                await output.WriteLineAsync($"{run.RunId,-36}  {run.Status,-9}  {$"{run.Epoch}/{run.TotalEpochs}",-7}  {fid,8}  {run.Name}{tagText}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"{result.Runs.Count} of {result.Total} run(s), page {result.Page}.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var remote = new RemoteOptions();
        var json = JsonOption();
        var run = RunArgument();
        var command = new Command("show", "Show a run: its spec, status, progress and latest metrics.") { run, json };
        AddAll(command, remote.All);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = remote.CreateClient(parse, _ => { });
            var manifest = await client.GetRunAsync(parse.GetValue(run), cancellationToken).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(output, manifest).ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"{manifest.Spec.Name} ({manifest.RunId})").ConfigureAwait(false);
            await output.WriteLineAsync($"status: {manifest.Status}, epoch {manifest.Progress.Epoch}/{manifest.Progress.TotalEpochs}{(manifest.Error is { } error ? $" ({error})" : "")}").ConfigureAwait(false);
            if (manifest.LatestEpoch is { } epoch)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"latest epoch {epoch.Epoch}: D {epoch.DLoss:0.000}, G {epoch.GLoss:0.000}")).ConfigureAwait(false);
            }

            if (manifest.LatestEvaluation is { } evaluation)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"latest evaluation (epoch {evaluation.Epoch}): FID {evaluation.Fid:0.0}, IS {evaluation.InceptionScore:0.00}, best FID {manifest.BestFid:0.0}")).ConfigureAwait(false);
            }

            foreach (var field in RunSpecSchema.Fields)
            {
                await output.WriteLineAsync($"  {field.Name}: {field.Display(manifest.Spec)}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command Download()
    {
        var remote = new RemoteOptions();
        var json = JsonOption();
        var run = RunArgument();
        var folder = new Option<string>("--out") { Description = "Folder for manifest.json, metrics.jsonl, final-grid.png and dcgan.gif (default: the run's id).", };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Also download this checkpoint: 'latest' or an epoch number." };
        var command = new Command("download", "Download a run's manifest, metrics, final sample grid and GIF (and a checkpoint).") { run, folder, checkpoint, json };
        AddAll(command, remote.All);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run);
            var wanted = parse.GetValue(checkpoint);
            if (wanted is not null && wanted != "latest" && !(int.TryParse(wanted, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0))
            {
                throw new DigitGanCli.UsageException($"--checkpoint must be 'latest' or an epoch number (got '{wanted}').");
            }

            var asJson = parse.GetValue(json);
            var output = parse.InvocationConfiguration.Output;
            using var client = remote.CreateClient(parse, asJson ? _ => { } : line => output.WriteLine(line));
            var manifest = await client.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            var target = parse.GetValue(folder) ?? runId.ToString();
            var files = (await client.DownloadAsync(manifest, target, cancellationToken).ConfigureAwait(false)).ToList();
            if (wanted is not null)
            {
                var file = Path.Combine(target, wanted == "latest" ? "latest.ckpt" : $"epoch-{int.Parse(wanted, CultureInfo.InvariantCulture):D4}.ckpt");
                if (!await client.DownloadFileAsync($"api/runs/{runId}/checkpoints/{wanted}", file, cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidDataException($"Run {runId} has no checkpoint '{wanted}'; `runs show {runId}` lists its checkpoint epochs.");
                }

                files.Add(file);
                if (!asJson)
                {
                    await output.WriteLineAsync($"Downloaded {file}").ConfigureAwait(false);
                }
            }

            if (asJson)
            {
                await WriteJsonAsync(output, new { runId, files = files.Select(Path.GetFullPath) }).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command Cancel()
    {
        var remote = new RemoteOptions();
        var json = JsonOption();
        var run = RunArgument();
        var command = new Command("cancel", "Cancel a run: a queued one at once, a running one within seconds (its checkpoints are kept).") { run, json };
        AddAll(command, remote.All);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = remote.CreateClient(parse, _ => { });
            var manifest = await client.CancelAsync(parse.GetValue(run), cancellationToken).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(output, manifest).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(manifest.Status == RunStatus.Cancelled
                    ? $"Run {manifest.RunId} is cancelled."
                    : manifest.IsFinished ? $"Run {manifest.RunId} had already ended ({manifest.Status}); nothing to cancel." : $"Run {manifest.RunId}: cancel requested; it stops at its next step.").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var remote = new RemoteOptions();
        var json = JsonOption();
        var run = RunArgument();
        var checkpoint = DigitGanCli.Option("--checkpoint", "The checkpoint whose generator to export: 'latest' or an epoch number.", "latest");
        var file = new Option<string?>("--out") { Description = "The safetensors file to write (default: RUN-epoch-N-generator.safetensors here)." };
        var command = new Command("export", "Download a checkpoint's generator as safetensors for PyTorch (the module in docs/export.md loads it).") { run, checkpoint, file, json };
        AddAll(command, remote.All);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runId = parse.GetValue(run);
            var wanted = parse.GetValue(checkpoint)!;
            if (wanted != "latest" && !(int.TryParse(wanted, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0))
            {
                throw new DigitGanCli.UsageException($"--checkpoint must be 'latest' or an epoch number (got '{wanted}').");
            }

            using var client = remote.CreateClient(parse, _ => { });
            var target = parse.GetValue(file) ?? $"{runId:N}-{(wanted == "latest" ? "latest" : $"epoch-{int.Parse(wanted, CultureInfo.InvariantCulture):D4}")}-generator.safetensors";
            if (!await client.DownloadFileAsync($"api/runs/{runId}/checkpoints/{wanted}/generator.safetensors", target, cancellationToken).ConfigureAwait(false))
            {
                _ = await client.GetRunAsync(runId, cancellationToken).ConfigureAwait(false); // an unknown run says so
                throw new InvalidDataException($"Run {runId} has no checkpoint '{wanted}'; `runs show {runId}` lists its checkpoint epochs.");
            }

            var output = parse.InvocationConfiguration.Output;
            await (parse.GetValue(json)
                ? WriteJsonAsync(output, new { runId, checkpoint = wanted, file = Path.GetFullPath(target), bytes = new FileInfo(target).Length })
                : output.WriteLineAsync($"Wrote {Path.GetFullPath(target)} (safetensors; docs/export.md has the PyTorch module that loads it).")).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task<RunPage> ListAsync(RunsApiClient client, List<KeyValuePair<string, string>> query, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ListAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (RunSpecException ex)
        {
            // The API names its query parameters; say them as the flags.
            throw new DigitGanCli.UsageException(string.Join(Environment.NewLine + "error: ", ex.Errors.Select(e => $"--{Flag(e.Key)}: {string.Join(" ", e.Value)}")));
        }
    }

    private static string Flag(string parameter) => parameter == "pageSize" ? "page-size" : parameter;

    private static void AddAll(Command command, IEnumerable<Option> options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    private static Task WriteJsonAsync<T>(TextWriter output, T value) => output.WriteLineAsync(JsonSerializer.Serialize(value, ArtifactJson.Options));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
