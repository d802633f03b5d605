using System.Diagnostics;
using DigitGan.Jobs.Hosting;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Queue;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Telemetry;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace DigitGan.Jobs.Tests.Hosting;

/// <summary>
/// A tiny run through a worker's Hangfire server with the worker's telemetry and in-memory exporters: the job span
/// continues the submitter's trace, epochs and evaluations are spans inside it, and the meters carry images/s.
/// </summary>
public sealed class TelemetryExportTests(MnistStoreFixture fixture) : IClassFixture<MnistStoreFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tiny_run_exports_job_epoch_and_evaluation_spans_and_the_training_meters()
    {
        Assert.True(await ClassifierFiles.EnsureImportedAsync(fixture.Store, DataPaths.ClassifierCache, Ct), $"No classifier in {DataPaths.ClassifierCache}: run scripts/setup.sh first.");
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddSingleton<IArtifactStore>(fixture.Store);
        builder.Services.AddScoped<ITrainingJob, TrainingJob>();
        builder.Services.AddHangfire(hangfire => hangfire.UseTrainingQueue(new QueueOptions(), Path.Combine(fixture.Root, "telemetry-queue")));
        builder.Services.AddTrainingServer("telemetry-test");
        builder.AddWorkerObservability();
        builder.Services.ConfigureOpenTelemetryTracerProvider(traces => traces.AddInMemoryExporter(spans));
        builder.Services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var runs = new RunRepository(fixture.Store);
        var run = await runs.CreateAsync(new RunSpec { Name = "telemetry", Epochs = 2, BatchSize = 64, TrainSubset = 128, EvaluateEvery = 2, EvaluationSamples = 200, Seed = 7 }, cancellationToken: Ct);
        // A recorded parent, as the web app's request span is when it enqueues.
        using (var submit = new Activity("submit") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start())
        {
            host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ITrainingJob>(job => job.RunAsync(run.RunId, CancellationToken.None));
            await WaitUntilFinishedAsync(runs, run.RunId);
            Assert.Equal(RunStatus.Succeeded, (await runs.GetAsync(run.RunId, Ct))!.Status);

            // The job span ends when Hangfire records the job's end, just after the manifest says Succeeded.
            var clock = Stopwatch.StartNew();
            while (!host.Services.GetRequiredService<TracerProvider>().ForceFlush() || !spans.Any(s => s.DisplayName == DigitGanTelemetry.JobSpan))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"no job span was exported; spans: {string.Join(", ", spans.Select(s => s.DisplayName))}");
                await Task.Delay(100, Ct);
            }

            var job = Assert.Single(spans, s => s.DisplayName == DigitGanTelemetry.JobSpan);
            Assert.Equal(submit.TraceId, job.TraceId);
            Assert.Equal(run.RunId.ToString("D"), job.GetTagItem(DigitGanTelemetry.RunIdTag));

            var epochs = spans.Where(s => s.DisplayName == DigitGanTelemetry.EpochSpan).OrderBy(s => s.StartTimeUtc).ToList();
            Assert.Equal([1, 2], epochs.Select(s => (int)s.GetTagItem(DigitGanTelemetry.EpochTag)!));
            Assert.All(epochs, e => Assert.Equal(job.SpanId, e.ParentSpanId));
            Assert.All(epochs, e => Assert.True((double)e.GetTagItem("digitgan.images_per_second")! > 0));
            var evaluation = Assert.Single(spans, s => s.DisplayName == DigitGanTelemetry.EvaluationSpan);
            Assert.Equal(epochs[1].SpanId, evaluation.ParentSpanId);
            Assert.True((double)evaluation.GetTagItem("digitgan.fid")! > 0);
        }

        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());
        var throughput = Assert.Single(metrics, m => m.Name == "digitgan.training.throughput" && m.MeterName == DigitGanTelemetry.MeterName);
        Assert.Equal("{image}/s", throughput.Unit);
        Assert.All(Points(throughput), p => Assert.True(p.GetGaugeLastValueDouble() > 0));
        Assert.NotEmpty(Points(throughput));
        var epochSeconds = Assert.Single(metrics, m => m.Name == "digitgan.training.epoch.duration");
        Assert.Equal(2, Points(epochSeconds).Sum(p => p.GetHistogramCount()));
        var evaluationSeconds = Assert.Single(metrics, m => m.Name == "digitgan.evaluation.duration");
        Assert.Equal(1, Points(evaluationSeconds).Sum(p => p.GetHistogramCount()));

        await host.StopAsync(Ct);
    }

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    private static async Task WaitUntilFinishedAsync(RunRepository runs, Guid runId)
    {
        var clock = Stopwatch.StartNew();
        while ((await runs.GetAsync(runId, Ct))?.IsFinished != true)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), $"run {runId} did not finish in 5 minutes");
            await Task.Delay(250, Ct);
        }
    }
}
