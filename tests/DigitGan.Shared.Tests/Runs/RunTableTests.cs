using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

public sealed class RunTableTests
{
    private static RunSummary Run(string name, RunSpec spec, double? fid = null) => new()
    {
        RunId = Guid.NewGuid(),
        Name = name,
        Tags = spec.Tags,
        LatestFid = fid,
        Spec = spec with { Name = name },
        CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    [Fact]
    public void Only_the_spec_fields_that_differ_become_columns()
    {
        var runs = new[] { Run("a", new RunSpec { LearningRate = 1e-4, Seed = 1 }), Run("b", new RunSpec { LearningRate = 2e-4, Seed = 1 }) };
        Assert.Equal(["learningRate"], RunTable.DifferingSpecColumns(runs).Select(c => c.Key));
        Assert.Empty(RunTable.DifferingSpecColumns([runs[0]]));
    }

    [Fact]
    public void The_csv_has_a_header_a_row_per_run_and_quotes_what_needs_it()
    {
        var runs = new[] { Run("plain", new RunSpec { Epochs = 5 }, fid: 12.345), Run("with, \"quotes\"", new RunSpec { Epochs = 7, Tags = ["x", "y"] }), Run("=cmd()", new RunSpec { Epochs = 7 }) };
        var lines = RunTable.ToCsv(runs).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("runId,name,tags,status,epoch,totalEpochs,finalFid,bestFid,is,classes,minutes,imagesPerSecond,epochs,createdAt,finishedAt", lines[0], StringComparison.Ordinal);
        Assert.Contains(",plain,,Queued,0,0,12.3,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",\"with, \"\"quotes\"\"\",x y,", lines[2], StringComparison.Ordinal);
        Assert.Contains(",'=cmd(),", lines[3], StringComparison.Ordinal);
        Assert.Contains(",2026-01-02T03:04:05.0000000+00:00,", lines[1], StringComparison.Ordinal);
    }
}
