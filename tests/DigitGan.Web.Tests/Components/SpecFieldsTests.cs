using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using Xunit;

namespace DigitGan.Web.Tests.Components;

public sealed class SpecFieldsTests
{
    [Fact]
    public void Has_a_row_per_schema_field_in_schema_order()
    {
        Assert.Equal(RunSpecSchema.Fields.Select(field => field.Name), SpecFields.Of(new RunSpec()).Select(row => row.Field));
    }

    [Fact]
    public void Says_what_empty_and_zero_values_mean()
    {
        var rows = SpecFields.Of(new RunSpec { EvaluateEvery = 0, Tags = ["a", "b"] }).ToDictionary(row => row.Field, row => row.Value);
        Assert.Equal("all 60,000", rows["trainSubset"]);
        Assert.Equal("whole epochs", rows["maxStepsPerEpoch"]);
        Assert.Equal("off", rows["evaluateEvery"]);
        Assert.Equal("a, b", rows["tags"]);
        Assert.Equal("", rows["parent"]);
    }

    [Fact]
    public void Differences_lists_only_the_fields_that_differ()
    {
        var parent = new RunParent(Guid.NewGuid(), 4);
        var differences = SpecFields.Differences([new RunSpec(), new RunSpec { Beta2 = 0.99, Parent = parent }]);
        Assert.Equal(["beta2", "parent"], differences.Select(row => row.Field));
        Assert.Equal(["0.999", "0.99"], differences[0].Values);
        Assert.Equal(["", $"{parent.RunId} @ epoch 4"], differences[1].Values);
    }
}
