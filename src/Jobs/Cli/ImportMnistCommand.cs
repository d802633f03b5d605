using System.CommandLine;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;

namespace DigitGan.Jobs.Cli;

/// <summary>`import-mnist`: verifies the four IDX files of a folder and imports them into a store.</summary>
public static class ImportMnistCommand
{
    public static Command Create()
    {
        var from = DigitGanCli.Option("--from", "Folder holding the four MNIST IDX files (scripts/setup.sh downloads them there).", DataPaths.MnistCache);
        var store = DigitGanCli.StoreOption();
        var command = new Command("import-mnist", "Verify the MNIST IDX files (SHA-256, format) and import them into the store's datasets/mnist/.") { from, store };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = DigitGanCli.OpenStore(parse.GetValue(store));
            var manifest = await MnistDataset.ImportAsync(target, parse.GetValue(from)!, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Imported {manifest.Files.Count} MNIST files into {target.Description}/{RunArtifactLayout.MnistPrefix}");
            return 0;
        });
        return command;
    }
}
