using System.CommandLine;
using DigitGan.Shared.Export;

namespace DigitGan.Jobs.Cli;

/// <summary>`export`: a checkpoint file's generator as safetensors for PyTorch, offline (`runs export` fetches it from a web app).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<FileInfo>("checkpoint") { Description = "A DigitGan checkpoint file (.ckpt), e.g. one downloaded from a run page." };
        var output = new Option<string?>("--out") { Description = "The safetensors file to write (default: the checkpoint's name with .safetensors)." };
        var command = new Command("export", "Write a checkpoint's generator as safetensors, with BatchNorm statistics, for the PyTorch module in docs/export.md.") { checkpoint, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(checkpoint)!;
            if (!file.Exists)
            {
                throw new FileNotFoundException($"Checkpoint file {file.FullName} does not exist.");
            }

            var exported = GeneratorExport.FromCheckpoint(await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), file.FullName);
            var target = parse.GetValue(output) ?? Path.ChangeExtension(file.FullName, ".safetensors");
            await File.WriteAllBytesAsync(target, exported.SafeTensors, cancellationToken).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Wrote the generator of epoch {exported.Epoch} (noise dimension {exported.NoiseDim}) to {Path.GetFullPath(target)}.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
