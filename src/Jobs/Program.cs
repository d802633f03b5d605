using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Training;

NativeMemory.TuneMalloc();
return await DigitGanCli.RunAsync(args);
