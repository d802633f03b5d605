using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Model;

NativeMemory.TuneMalloc();
return await DigitGanCli.RunAsync(args);
