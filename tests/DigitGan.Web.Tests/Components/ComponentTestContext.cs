using System.Runtime.CompilerServices;
using Azure;
using Bunit;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Bunit.TestDoubles;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using MudBlazor.Services;

namespace DigitGan.Web.Tests.Components;

/// <summary>
/// bUnit with MudBlazor and a real <see cref="RunService"/> over a file store in a temp folder (or over a store
/// that never answers, for the outage state) and an in-memory Hangfire queue that no worker drains.
/// </summary>
public abstract class ComponentTestContext : BunitContext
{
    private readonly string _folder = Directory.CreateTempSubdirectory("digitgan-bunit-").FullName;

    protected ComponentTestContext(bool storageDown = false)
    {
        Store = storageDown ? new UnreachableStore() : new FileArtifactStore(_folder);
        Runs = new RunRepository(Store);
        // A WebApplicationFactory test before this one left Hangfire's global log provider on its disposed host.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        var queue = new InMemoryStorage();
        Services.AddMudServices();
        Services.AddSingleton(new RunService(Runs, new BackgroundJobClient(queue), queue, NullLogger<RunService>.Instance));
        JSInterop.Mode = JSRuntimeMode.Loose;

        // An operator by default; tests of what viewers see call Authorization.SetNotAuthorized() before rendering.
        Authorization = AddAuthorization();
        Authorization.SetAuthorized("tester");
        Authorization.SetRoles(DigitGanRoles.Operator);
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
    }

    protected IArtifactStore Store { get; }

    protected BunitAuthorizationContext Authorization { get; }

    protected RunRepository Runs { get; }

    protected NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    protected static readonly byte[] BlankGrid = PngEncoder.Encode(new GrayImage(458, 458));

    /// <summary>A run as a worker leaves it: manifest, metrics (steps, epochs, evaluations), a grid per epoch, checkpoints.</summary>
    protected async Task<RunManifest> SeedRunAsync(string name, RunStatus status, int epochs, int totalEpochs = 5, double learningRate = 1e-4,
        string? error = null, IReadOnlyList<HealthFlag>? flags = null, string[]? tags = null)
    {
        var manifest = await Runs.CreateAsync(new RunSpec { Name = name, Epochs = totalEpochs, LearningRate = learningRate, Tags = tags ?? [] });
        var lines = new List<string>();
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            for (var step = 1; step <= 4; step++)
            {
                lines.Add(MetricsLines.Format(new StepMetrics { Epoch = epoch, Step = step, GlobalStep = (epoch - 1) * 4 + step, DLoss = 1.2 - 0.01 * step, GLoss = 0.8 + 0.01 * step, DReal = 0.6, DFake = 0.4 }));
            }

            lines.Add(MetricsLines.Format(new EpochMetrics { Epoch = epoch, Steps = 4, Images = 1024, DLoss = 1.2, GLoss = 0.8 + epoch * 0.1, Seconds = 2, ImagesPerSecond = 512 }));
            lines.Add(MetricsLines.Format(new EvaluationMetrics { Epoch = epoch, Samples = 1000, Fid = 100.0 / epoch, FidFloor = 0.3, InceptionScore = 1 + epoch, ClassHistogram = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100], ClassesAtLeast5Percent = 10, Confidence = 0.8 }));
            await Store.PutBytesAsync(RunArtifactLayout.Sample(manifest.RunId, epoch), BlankGrid);
        }

        await Store.PutTextAsync(RunArtifactLayout.Metrics(manifest.RunId), string.Join('\n', lines) + "\n");
        if (epochs > 0)
        {
            await Store.PutBytesAsync(RunArtifactLayout.LatestCheckpoint(manifest.RunId), new byte[] { 1, 2, 3 });
        }

        return await Runs.UpdateAsync(manifest.RunId, m => m with
        {
            Status = status,
            Error = error,
            HealthFlags = flags ?? [],
            Progress = new RunProgress { Epoch = epochs, TotalEpochs = totalEpochs, StepsPerEpoch = 4, Step = 4 },
            LatestEpoch = epochs > 0 ? new EpochMetrics { Epoch = epochs, DLoss = 1.2, GLoss = 0.9 } : null,
            LatestEvaluation = epochs > 0 ? new EvaluationMetrics { Epoch = epochs, Fid = 100.0 / epochs, FidFloor = 0.3 } : null,
            BestFid = epochs > 0 ? 100.0 / epochs : null,
            LatestCheckpointEpoch = epochs,
            FinishedAt = status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled ? DateTimeOffset.UtcNow : null,
        });
    }

    protected override ValueTask DisposeAsyncCore()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return base.DisposeAsyncCore();
    }

    /// <summary>A store whose every call fails as an unreachable Azure endpoint does.</summary>
    private sealed class UnreachableStore : IArtifactStore
    {
        public string Description => "unreachable";

        private static RequestFailedException Down() => new(0, "Connection refused (127.0.0.1:1)");

        public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => throw Down();

        public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default) => throw Down();

        public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default) => throw Down();

        public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => throw Down();

        public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            throw Down();
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }

        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => throw Down();

        public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default) => throw Down();
    }
}
