using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Training;

NativeMemory.LimitMallocArenas();
return await DigitGanCli.RunAsync(args);
