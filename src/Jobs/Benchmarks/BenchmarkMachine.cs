namespace DigitGan.Jobs.Benchmarks;

/// <summary>Where a benchmark ran: the CPU model, its cores, the libtorch threads used, the device and the CPU's vector/matrix flags.</summary>
public sealed record BenchmarkMachine(string Cpu, int Cores, int Threads, string Device, string Flags = "");
