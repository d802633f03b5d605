namespace DigitGan.Shared.Sweeps;

/// <summary>Where sweeps live in the store: one manifest per sweep under sweeps/ (docs/architecture.md, store layout).</summary>
public static class SweepLayout
{
    public const string SweepsPrefix = "sweeps/";

    public static string Manifest(Guid sweepId) => $"{SweepsPrefix}{sweepId:D}/manifest.json";

    /// <summary>The sweep whose manifest this path is, or null for any other path.</summary>
    public static Guid? SweepIdOfManifest(string path)
    {
        var parts = path.Split('/');
        return parts is ["sweeps", var id, "manifest.json"] && Guid.TryParseExact(id, "D", out var sweepId) ? sweepId : null;
    }

    /// <summary>
    /// The run id of a sweep's trial: the sweep's id with its last 16 bits replaced by the trial's index. It is fixed
    /// before the run is submitted, so a retried submit finds the run it made before instead of making a second one;
    /// it keeps the sweep's creation time in its first 48 bits, as every run id does.
    /// </summary>
    public static Guid TrialRunId(Guid sweepId, int index)
    {
        Span<byte> bytes = stackalloc byte[16];
        sweepId.TryWriteBytes(bytes, bigEndian: true, out _);
        bytes[14] = (byte)(index >> 8);
        bytes[15] = (byte)index;
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The order in which the coordinator submits a sweep's trials: a shuffle fixed by the sweep's id and seed, so the
    /// runs reach the rungs in an order unrelated to the grid's (successive halving decides as runs arrive, and a grid
    /// in order would send all the runs of one axis value first).
    /// </summary>
    public static IReadOnlyList<int> SubmitOrder(SweepManifest sweep)
    {
        Span<byte> bytes = stackalloc byte[16];
        sweep.SweepId.TryWriteBytes(bytes, bigEndian: true, out _);
        var random = new Random(BitConverter.ToInt32(bytes[8..12]) ^ unchecked((int)sweep.Spec.Seed));
        var order = Enumerable.Range(0, sweep.Trials.Count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>The tag every run of the sweep carries, so the runs list filters a sweep's runs (tag:sweep-...).</summary>
    public static string Tag(Guid sweepId) => $"sweep-{sweepId:N}";
}
