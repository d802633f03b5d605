using DigitGan.Shared.Hosting;
using DigitGan.Shared.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Xunit;

namespace DigitGan.Shared.Tests.Telemetry;

/// <summary>The telemetry settings: JSON console logs on request, and a wrong value stops the process naming the setting.</summary>
public sealed class TelemetryRegistrationTests
{
    [Theory]
    [InlineData(null, "simple")]
    [InlineData("Text", "simple")]
    [InlineData("json", "json")]
    public void Console_logs_are_text_unless_json_is_asked_for(string? format, string formatter)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [TelemetryRegistration.ConsoleLogsSetting] = format });
        builder.AddDigitGanTelemetry("digitgan-test");
        using var host = builder.Build();
        Assert.Equal(formatter, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName ?? "simple");
    }

    [Theory]
    [InlineData(TelemetryRegistration.ConsoleLogsSetting, "Yaml")]
    [InlineData(TelemetryRegistration.OtlpEndpointSetting, "collector:4317")]
    [InlineData(TelemetryRegistration.AzureMonitorSetting, "not-a-connection-string")]
    public void A_wrong_value_stops_the_process_naming_the_setting(string setting, string value)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [setting] = value });
        var error = Assert.Throws<DigitGanConfigurationException>(() => builder.AddDigitGanTelemetry("digitgan-test"));
        Assert.StartsWith(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exporters_are_on_only_when_their_setting_is_there()
    {
        var empty = new ConfigurationBuilder().Build();
        Assert.False(TelemetryRegistration.OtlpEnabled(empty));
        Assert.Null(TelemetryRegistration.AzureMonitorConnectionString(empty));

        var set = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryRegistration.OtlpEndpointSetting] = "http://localhost:4317",
            [TelemetryRegistration.AzureMonitorSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/",
        }).Build();
        Assert.True(TelemetryRegistration.OtlpEnabled(set));
        Assert.StartsWith("InstrumentationKey=", TelemetryRegistration.AzureMonitorConnectionString(set), StringComparison.Ordinal);
    }
}
