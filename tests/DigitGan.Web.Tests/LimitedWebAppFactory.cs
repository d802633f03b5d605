using Microsoft.AspNetCore.Hosting;

namespace DigitGan.Web.Tests;

/// <summary>The app with small limits: three queued runs at most and five submits a minute per client.</summary>
public sealed class LimitedWebAppFactory : WebAppFactory
{
    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("DigitGan:Limits:MaxQueuedRuns", "3");
        builder.UseSetting("DigitGan:Limits:SubmitBurst", "5");
        builder.UseSetting("DigitGan:Limits:SubmitsPerMinute", "5");
    }
}
