using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DigitGan.Shared.Runs;

/// <summary>Where a forked run starts: another run's checkpoint of an epoch ("resume from here").</summary>
public sealed record RunParent(Guid RunId, int Epoch)
{
    /// <summary>Reads the RUNID:EPOCH text form (what <see cref="ToString"/> writes and the CLI's --parent takes).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out RunParent? parent)
    {
        var parts = text.Split(':');
        parent = parts.Length == 2 && Guid.TryParse(parts[0], out var runId) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? new RunParent(runId, epoch)
            : null;
        return parent is not null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{RunId}:{Epoch}");
}
