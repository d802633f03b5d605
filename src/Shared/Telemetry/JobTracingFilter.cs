using System.Diagnostics;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace DigitGan.Shared.Telemetry;

/// <summary>
/// A span per Hangfire job: the enqueuing side stores the current trace context as a job parameter, and the worker
/// runs the job inside a span that continues that trace, so a submit's request and its training share one trace.
/// </summary>
public sealed class JobTracingFilter : IClientFilter, IServerFilter
{
    public const string TraceParentParameter = "traceparent";

    private const string SpanItem = "digitgan.span";

    private static readonly JobTracingFilter Instance = new();
    private static readonly Lock RegisterLock = new();

    /// <summary>Adds the filter to Hangfire's global filters once per process (hosts built again, as in tests, add nothing).</summary>
    public static void Register()
    {
        lock (RegisterLock)
        {
            if (!GlobalJobFilters.Filters.Any(f => f.Instance is JobTracingFilter))
            {
                GlobalJobFilters.Filters.Add(Instance);
            }
        }
    }

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is { } current)
        {
            context.SetJobParameter(TraceParentParameter, current.Id);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        ActivityContext.TryParse(context.GetJobParameter<string>(TraceParentParameter), null, out var parent);
        var job = context.BackgroundJob.Job;
        var span = DigitGanTelemetry.Source.StartActivity(DigitGanTelemetry.JobSpan, ActivityKind.Consumer, parent);
        if (span is null)
        {
            return;
        }

        span.SetTag("hangfire.job.id", context.BackgroundJob.Id)
            .SetTag("hangfire.job.method", $"{job.Type.Name}.{job.Method.Name}")
            .SetTag(DigitGanTelemetry.QueueTag, job.Queue);
        if (job.Args.Count > 0 && job.Args[0] is Guid runId)
        {
            span.SetTag(DigitGanTelemetry.RunIdTag, runId.ToString("D"));
        }

        context.Items[SpanItem] = span;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(SpanItem, out var item) && item is Activity span)
        {
            if (context.Exception is { } exception && !context.ExceptionHandled)
            {
                span.SetStatus(ActivityStatusCode.Error, exception.Message);
            }

            span.Dispose();
        }
    }
}
