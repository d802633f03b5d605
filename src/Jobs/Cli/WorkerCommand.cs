using System.CommandLine;
using DigitGan.Jobs.Hosting;
using Microsoft.Extensions.Hosting;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `worker`: serves the training queue in this process, one run at a time, until stopped. Settings come from
/// environment variables (DigitGan__Storage__Kind, DigitGan__Queue__ConnectionString, ...) or
/// --DigitGan:Section:Key=value arguments, with the web app's names. The web app starts one with --parent-pid.
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var parent = new Option<int?>("--parent-pid") { Description = "Stop when this process (the web app that started the worker) is gone." };
        var command = new Command("worker", "Serve the training queue in this process, one run at a time: the embedded SQLite queue in the data folder (the web app starts such a local worker itself) or PostgreSQL (DigitGan__Queue__Kind=PostgreSql, DigitGan__Queue__ConnectionString). Storage: DigitGan__Storage__* (environment) or --DigitGan:Storage:Kind=... arguments.")
        {
            parent,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var host = WorkerHost.Build([.. parse.UnmatchedTokens], parse.GetValue(parent), out var description);
            Console.WriteLine($"{description} Ctrl+C stops it; its run resumes on the next worker.");
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
