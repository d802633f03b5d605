using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Training;

/// <summary>The run that `train` trains in this process: a new one from a spec, or an existing one to resume.</summary>
public static class RunStart
{
    public static async Task<RunManifest> CreateOrResumeAsync(RunRepository runs, RunSpec spec, Guid? resume, CancellationToken cancellationToken) => resume is { } id
        ? await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(id)
        : await runs.CreateAsync(spec, CodeVersion.Current, cancellationToken).ConfigureAwait(false);
}
