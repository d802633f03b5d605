using System.CommandLine;
using DigitGan.Jobs.Benchmarks;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Cli;

/// <summary>The hidden `onednn-probe` verb that `bench` runs in a child process with ONEDNN_VERBOSE=1 (see <see cref="OneDnnProbe"/>).</summary>
public static class OneDnnProbeCommand
{
    public static Command Create()
    {
        var precisions = new Argument<string[]>("precisions") { Description = "fp32 and/or bf16.", Arity = ArgumentArity.OneOrMore }.AcceptOnlyFromAmong("fp32", "bf16");
        var command = new Command(OneDnnProbe.Verb, "Run the model's convolutions once per precision (for oneDNN's verbose log).") { precisions };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            OneDnnProbe.Exercise(parse.GetValue(precisions)!.Select(p => p == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32), Console.Out);
            return 0;
        });
        return command;
    }
}
