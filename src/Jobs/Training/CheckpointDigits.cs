using DigitGan.Jobs.Model;

namespace DigitGan.Jobs.Training;

/// <summary>What draws a checkpoint's digits (<see cref="Checkpoint.LoadDigits"/>): its sampling generator and, when its spec ranks samples, its discriminator.</summary>
public sealed class CheckpointDigits(CheckpointHeader header, DcganGenerator generator, DcganDiscriminator? discriminator) : IDisposable
{
    /// <summary>The checkpoint's header; its spec carries the sample keep in use.</summary>
    public CheckpointHeader Header { get; } = header;

    public DcganGenerator Generator { get; } = generator;

    /// <summary>The ranking of drawn digits by the checkpoint's discriminator; null when every digit drawn is kept.</summary>
    public SampleRanking? Ranking { get; } = discriminator is null ? null : new SampleRanking(discriminator, header.Spec.SampleKeep);

    public void Dispose()
    {
        Generator.Dispose();
        discriminator?.Dispose();
    }
}
