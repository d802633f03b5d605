using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

public sealed class RunFilterTests
{
    private static readonly RunSummary Fast = Run("fast", learningRate: 3e-4, fid: 25, tags: ["sweep", "lr"], subset: 6000);
    private static readonly RunSummary Slow = Run("slow", learningRate: 1e-4, fid: 40, tags: ["sweep"]);
    private static readonly RunSummary Fresh = Run("fresh", learningRate: 2e-4, fid: null, tags: []);

    private static RunSummary Run(string name, double learningRate, double? fid, string[] tags, int? subset = null) => new()
    {
        RunId = Guid.NewGuid(),
        Name = name,
        Tags = tags,
        Status = fid is null ? RunStatus.Queued : RunStatus.Succeeded,
        LatestFid = fid,
        BestFid = fid is null ? null : fid - 1,
        LatestInceptionScore = fid is null ? null : 100 / fid,
        LatestClasses = fid is null ? null : 10,
        TrainingSeconds = 600,
        Spec = new RunSpec { Name = name, LearningRate = learningRate, Tags = tags, TrainSubset = subset },
    };

    private static string[] Matching(string expression)
        => [.. new[] { Fast, Slow, Fresh }.Where(RunFilter.Parse(expression)!.Matches).Select(r => r.Name)];

    [Theory]
    [InlineData("learningRate >= 2e-4 and fid < 30", new[] { "fast" })]
    [InlineData("lr >= 2e-4", new[] { "fast", "fresh" })]
    [InlineData("fid < 30 or fid > 35", new[] { "fast", "slow" })]
    [InlineData("not fid < 30", new[] { "slow", "fresh" })]
    [InlineData("(fid < 30 or status = queued) and tag != lr", new[] { "fresh" })]
    [InlineData("tag = sweep AND bestFid <= 24", new[] { "fast" })]
    [InlineData("is > 2 and classes = 10", new[] { "fast", "slow" })]
    [InlineData("minutes == 10", new[] { "fast", "slow", "fresh" })]
    [InlineData("name = 'slow'", new[] { "slow" })]
    [InlineData("step = shared and trainSubset < 10000", new[] { "fast" })]
    [InlineData("trainSubset != 6000", new string[0])]
    [InlineData("fid >= .5e1", new[] { "fast", "slow" })]
    public void Filters_by_parameters_and_metrics(string expression, string[] expected) => Assert.Equal(expected, Matching(expression));

    [Theory]
    [InlineData("fid <", 6, "Expected a value after 'fid <'")]
    [InlineData("fid < 30 and", 13, "ends where a comparison")]
    [InlineData("fdi < 30", 1, "Unknown field 'fdi'")]
    [InlineData("fid < thirty", 7, "fid is a number")]
    [InlineData("name > 'a'", 6, "takes = or !=")]
    [InlineData("(fid < 30", 10, "Expected ')'")]
    [InlineData("fid < 30 fid > 2", 10, "Expected 'and', 'or' or the end")]
    [InlineData("fid ~ 3", 5, "Unexpected character '~'")]
    [InlineData("name = 'open", 8, "no closing '")]
    [InlineData("lr > 1e-4e", 6, "is not a number")]
    [InlineData("fid 30", 5, "Expected a comparison")]
    public void A_bad_expression_names_the_position_and_the_problem(string expression, int position, string problem)
    {
        var error = Assert.Throws<RunFilterException>(() => RunFilter.Parse(expression));
        Assert.Equal(position, error.Position);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Position {position}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_filter_is_none_and_notes_are_not_a_field()
    {
        Assert.Null(RunFilter.Parse("  "));
        Assert.Throws<RunFilterException>(() => RunFilter.Parse("notes = x"));
        Assert.Contains(RunFilter.Fields, f => f.Name == "evaluationSamples");
    }
}
