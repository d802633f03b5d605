using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Web;

// The in-process worker trains in this process: the same malloc settings as the Jobs executable, before libtorch starts.
NativeMemory.TuneMalloc();
try
{
    // Content root = the app's folder, so appsettings.json is found whatever the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddDigitGan();
    var app = builder.Build();
    app.MapDigitGan();
    await app.RunAsync();
    return 0;
}
catch (DigitGanConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}");
    return 2;
}

/// <summary>The web app's entry point (public for WebApplicationFactory in the tests).</summary>
public partial class Program;
