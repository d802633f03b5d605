using System.CommandLine;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>`gc`: reports what no run owns in the store (orphaned run files, temp files of crashed writes, stale lock files) and removes it.</summary>
public static class GcCommand
{
    public static Command Create()
    {
        var store = DigitGanCli.StoreOption();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report what would be removed." };
        var minAge = DigitGanCli.Option("--min-age", "Minutes an orphan must be old before it counts (a fork copies its files before its manifest).", (int)StoreGarbageCollector.DefaultMinAge.TotalMinutes);
        minAge.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError($"--min-age must be 0 or more minutes (got {result.GetValueOrDefault<int>()}).");
            }
        });
        var command = new Command("gc", "Report and remove orphans: files of runs without a manifest, temp files of crashed writes, lock files of deleted files and finished runs.") { store, dryRun, minAge };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = DigitGanCli.OpenStore(parse.GetValue(store));
            var remove = !parse.GetValue(dryRun);
            var report = await new StoreGarbageCollector(target).CollectAsync(remove, TimeSpan.FromMinutes(parse.GetValue(minAge)), cancellationToken).ConfigureAwait(false);
            var verb = remove ? "removed" : "would remove";
            foreach (var path in report.OrphanArtifacts.Concat(report.StaleTempFiles).Concat(report.OrphanLockFiles))
            {
                Console.WriteLine($"{verb} {path}");
            }

            Console.WriteLine($"{target.Description}: {report.OrphanArtifacts.Count} orphaned run file(s), {report.StaleTempFiles.Count} stale temp file(s), {report.OrphanLockFiles.Count} stale lock file(s) {verb}.");
            return 0;
        });
        return command;
    }
}
