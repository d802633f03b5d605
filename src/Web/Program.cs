using DigitGan.Shared.Hosting;
using DigitGan.Web;

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
catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    // A setting of the wrong kind (e.g. DigitGan__Auth__AnonymousRead=maybe): the binder's message names the setting.
    await Console.Error.WriteLineAsync($"error: {ex.Message} Fix that setting (environment variable or argument) and start again.");
    return 2;
}

/// <summary>The web app's entry point (public for WebApplicationFactory in the tests).</summary>
public partial class Program;
