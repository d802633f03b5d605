using DigitGan.Jobs.Cli;

return await DigitGanCli.RunAsync(args);
