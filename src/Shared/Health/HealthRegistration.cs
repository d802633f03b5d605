using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Shared.Health;

/// <summary>
/// The readiness checks the web app and the workers share: the store and the queue answer, and MNIST and the
/// classifier are in the store and verified. Liveness runs none of them: a process that answers is alive.
/// </summary>
public static class HealthRegistration
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>The tag of the checks readiness runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>How long the store and the queue may take to answer a probe.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a probe waits for a dataset verification (which goes on for the next probe when it takes longer).</summary>
    public static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddDigitGanHealthChecks(this IServiceCollection services)
    {
        // The dataset checks remember which file versions they verified: one instance each for the process.
        services.TryAddSingleton<MnistHealthCheck>();
        services.TryAddSingleton<ClassifierHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", HealthStatus.Unhealthy, [ReadyTag], AnswerTimeout)
            .AddCheck<QueueHealthCheck>("queue", HealthStatus.Unhealthy, [ReadyTag], AnswerTimeout)
            .Add(new HealthCheckRegistration("mnist", provider => provider.GetRequiredService<MnistHealthCheck>(), HealthStatus.Unhealthy, [ReadyTag], VerifyTimeout))
            .Add(new HealthCheckRegistration("classifier", provider => provider.GetRequiredService<ClassifierHealthCheck>(), HealthStatus.Unhealthy, [ReadyTag], VerifyTimeout));
        return services;
    }

    public static bool IsReadinessCheck(HealthCheckRegistration registration) => registration.Tags.Contains(ReadyTag);
}
