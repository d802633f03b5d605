using Xunit;
using Bunit;
using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Pages;
using DigitGan.Web.Components.Pages.Runs;
using DigitGan.Web.Components.Runs;

namespace DigitGan.Web.Tests.Components;

public sealed class StatusChipTests : ComponentTestContext
{
    [Theory]
    [InlineData(RunStatus.Queued)]
    [InlineData(RunStatus.Running)]
    [InlineData(RunStatus.Succeeded)]
    [InlineData(RunStatus.Failed)]
    [InlineData(RunStatus.Cancelled)]
    public void Shows_the_status_name(RunStatus status)
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, status));
        Assert.Equal(status.ToString(), chip.Find(".status-chip").TextContent.Trim());
    }
}

public sealed class RunsPageTests : ComponentTestContext
{
    [Fact]
    public void Empty_store_shows_no_runs_yet_with_a_button_to_start_one()
    {
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("No runs yet", page.Markup));
        Assert.Equal("/runs/new", page.Find("[data-testid=empty-state] a").GetAttribute("href"));
    }

    [Fact]
    public async Task Lists_runs_with_status_progress_losses_fid_and_thumbnail()
    {
        var done = await SeedRunAsync("baseline", RunStatus.Succeeded, epochs: 4, totalEpochs: 4, tags: ["sweep"]);
        await SeedRunAsync("queued-one", RunStatus.Queued, epochs: 0);
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("baseline", page.Markup));
        Assert.Contains("queued-one", page.Markup);
        Assert.Equal(["Queued", "Succeeded"], page.FindAll(".status-chip").Select(c => c.TextContent.Trim()).Order());
        Assert.Contains("epoch 4/4", page.Markup);
        Assert.Contains("25.0", page.Markup); // FID 100/4
        Assert.Contains($"/api/runs/{done.RunId}/samples/4.png", page.Markup);
        Assert.Contains("sweep", page.Markup);
    }

    [Fact]
    public async Task Filters_by_status_and_tag_from_the_url()
    {
        await SeedRunAsync("good", RunStatus.Succeeded, epochs: 1, tags: ["nightly"]);
        await SeedRunAsync("bad", RunStatus.Failed, epochs: 1, error: "boom");
        Navigation.NavigateTo("/runs?status=Failed");
        var failed = Render<RunsPage>();
        failed.WaitForAssertion(() => Assert.Contains("bad", failed.Markup));
        Assert.DoesNotContain(">good<", failed.Markup);

        Navigation.NavigateTo("/runs?tag=nightly");
        var nightly = Render<RunsPage>();
        nightly.WaitForAssertion(() => Assert.Single(nightly.FindAll("[data-testid=nightly-row]")));
        Assert.Contains("Nightly training", nightly.Markup);
        Assert.DoesNotContain(">bad<", nightly.Markup);
    }

    [Fact]
    public async Task Search_tags_and_a_filter_expression_from_the_url_narrow_the_rows_and_add_columns_for_differing_fields()
    {
        await SeedRunAsync("lr-high", RunStatus.Succeeded, epochs: 4, learningRate: 3e-4, tags: ["sweep", "lr"]); // FID 25
        await SeedRunAsync("lr-low", RunStatus.Succeeded, epochs: 1, learningRate: 1e-4, tags: ["sweep", "lr"]);  // FID 100
        await SeedRunAsync("other", RunStatus.Succeeded, epochs: 4, learningRate: 3e-4, tags: ["sweep"]);
        Navigation.NavigateTo("/runs?tag=sweep&tag=lr&q=LR-&filter=learningRate%20%3E%3D%202e-4%20and%20fid%20%3C%2030");
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Equal(["lr-high"], page.FindAll("[data-testid=run-name]").Select(a => a.TextContent.Trim())));
        Assert.Equal(2, page.FindAll("[data-testid=tag-filter-chip]").Count);
        Assert.Contains("/api/runs/csv?", page.Find("[data-testid=csv-export]").GetAttribute("href"));

        // Without the filter the two lr runs differ in learning rate (a column) but not in epochs (none).
        Navigation.NavigateTo("/runs?tag=lr");
        var both = Render<RunsPage>();
        both.WaitForAssertion(() => Assert.Equal(2, both.FindAll("[data-testid=run-name]").Count));
        Assert.Equal(["0.0001", "0.0003"], both.FindAll("[data-column=learningRate]").Select(c => c.TextContent).Order());
        Assert.Empty(both.FindAll("[data-column=epochs]"));

        Navigation.NavigateTo("/runs?filter=fid%20%3C");
        var bad = Render<RunsPage>();
        bad.WaitForAssertion(() => Assert.Contains("Position 6: Expected a value after", bad.Markup));
        Assert.Empty(bad.FindAll("[data-testid=run-name]"));
    }

    [Fact]
    public async Task Sort_and_page_from_the_url_order_the_rows_and_a_header_click_puts_its_sort_in_the_url()
    {
        // 26 runs whose epochs (a spec field, so a column) run 1..26: as text "10" would sort before "2".
        for (var epochs = 1; epochs <= 26; epochs++)
        {
            await SeedRunAsync($"run-{epochs}", RunStatus.Queued, epochs: 0, totalEpochs: epochs);
        }

        string[] Names(IRenderedComponent<RunsPage> page) => [.. page.FindAll("[data-testid=run-name]").Select(a => a.TextContent.Trim())];

        Navigation.NavigateTo("/runs?sort=epochs");
        var ascending = Render<RunsPage>();
        ascending.WaitForAssertion(() => Assert.Equal(25, Names(ascending).Length));
        Assert.Equal(Enumerable.Range(1, 25).Select(e => $"run-{e}"), Names(ascending));

        // Page 2 of the descending sort holds the 26th row; an unknown name in the sort is ignored.
        Navigation.NavigateTo("/runs?sort=bogus,-epochs&page=2");
        var second = Render<RunsPage>();
        second.WaitForAssertion(() => Assert.Equal(["run-1"], Names(second)));
        Assert.Contains("page=2", Navigation.Uri);

        Navigation.NavigateTo("/runs?sort=-epochs&size=50");
        var large = Render<RunsPage>();
        large.WaitForAssertion(() => Assert.Equal(26, Names(large).Length));
        Assert.Equal("run-26", Names(large)[0]);

        // Clicking a header sorts by it and replaces the URL's sort, keeping the other conditions.
        Navigation.NavigateTo("/runs?q=run-");
        var clicked = Render<RunsPage>();
        clicked.WaitForAssertion(() => Assert.Equal(25, Names(clicked).Length));
        await clicked.FindAll("th").Single(th => th.TextContent.Contains("Name", StringComparison.Ordinal)).QuerySelector(".sortable-column-header")!.ClickAsync(new());
        var query = Uri.UnescapeDataString(new Uri(Navigation.Uri).Query);
        Assert.Contains("sort=name", query);
        Assert.Contains("q=run-", query);
        clicked.WaitForAssertion(() => Assert.Equal(["run-1", "run-10", "run-11"], Names(clicked).Take(3)));
    }

    [Fact]
    public async Task Several_sorts_from_the_url_apply_in_their_order()
    {
        // Newest first by default would list b before a; best FID ascending lists a first.
        await SeedRunAsync("a-fid-25", RunStatus.Succeeded, epochs: 4, totalEpochs: 4);
        await SeedRunAsync("b-fid-50", RunStatus.Succeeded, epochs: 2, totalEpochs: 4);
        await SeedRunAsync("c-fid-100", RunStatus.Failed, epochs: 1, totalEpochs: 4);
        await SeedRunAsync("d-queued", RunStatus.Queued, epochs: 0, totalEpochs: 4);

        Navigation.NavigateTo("/runs?sort=-status,bestFid");
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=run-name]").Count));
        // RunStatus order: Queued, Running, Succeeded, Failed, Cancelled; descending, then best FID ascending.
        Assert.Equal(["c-fid-100", "a-fid-25", "b-fid-50", "d-queued"], page.FindAll("[data-testid=run-name]").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public async Task Compare_needs_two_selected_runs_and_opens_the_compare_page_with_them()
    {
        var a = await SeedRunAsync("a", RunStatus.Succeeded, epochs: 1);
        var b = await SeedRunAsync("b", RunStatus.Succeeded, epochs: 1);
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("input[data-run]").Count));
        Assert.True(page.Find("[data-testid=compare-selected]").HasAttribute("disabled"));
        page.Find($"input[data-run='{a.RunId}']").Change(true);
        page.Find($"input[data-run='{b.RunId}']").Change(true);
        await page.Find("[data-testid=compare-selected]").ClickAsync(new());
        var uri = new Uri(Navigation.Uri);
        Assert.Equal("/compare", uri.AbsolutePath);
        Assert.Equal(new[] { a.RunId, b.RunId }.Order(), Uri.UnescapeDataString(uri.Query).Split('=')[1].Split(',').Select(Guid.Parse).Order());
    }
}

public sealed class RunsPageOutageTests() : ComponentTestContext(storageDown: true)
{
    [Fact]
    public void Runs_page_says_storage_is_unreachable_with_a_retry()
    {
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("Storage is unreachable", page.Markup));
        Assert.Contains("Retry now", page.Markup);
        Assert.DoesNotContain("Exception", page.Markup);
    }

    [Fact]
    public void Run_page_says_storage_is_unreachable()
    {
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, Guid.NewGuid().ToString()));
        page.WaitForAssertion(() => Assert.Contains("Storage is unreachable", page.Markup));
    }
}

public sealed class RunDetailPageTests : ComponentTestContext
{
    [Theory]
    [InlineData("0190f1d2-0000-7000-8000-000000000000")]
    [InlineData("not-a-run-id")]
    public void Unknown_run_shows_run_not_found(string id)
    {
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.Contains("Run not found", page.Markup));
    }

    [Fact]
    public async Task Shows_charts_grid_slider_histogram_checkpoints_and_spec()
    {
        var run = await SeedRunAsync("detail", RunStatus.Succeeded, epochs: 3, totalEpochs: 3);
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, run.RunId.ToString()));
        page.WaitForAssertion(() => Assert.Contains("detail", page.Markup));
        Assert.Equal("Succeeded", page.Find(".status-chip").TextContent.Trim());
        Assert.EndsWith("/samples/3.png", page.Find("[data-testid=sample-grid]").GetAttribute("src"));
        foreach (var chart in new[] { "loss-chart", "fid-chart", "score-chart" })
        {
            Assert.NotEmpty(page.FindAll($"[data-testid={chart}] [data-series]"));
        }

        Assert.Contains("FID floor (real vs real)", page.Markup);
        Assert.Contains("Digit classes, epoch 3", page.Markup);
        Assert.Contains($"/api/runs/{run.RunId}/checkpoints/latest", page.Markup);
        Assert.Contains($"/runs/new?from={run.RunId}", page.Markup);
        Assert.Contains($"/api/runs/{run.RunId}/gif", page.Markup);
        Assert.Contains("learningRate", page.Markup);
    }

    [Fact]
    public async Task Clicking_an_epoch_on_a_chart_or_pressing_arrows_moves_the_grid()
    {
        var run = await SeedRunAsync("clicks", RunStatus.Succeeded, epochs: 3, totalEpochs: 3);
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, run.RunId.ToString()));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=fid-chart] [data-series]")));
        // What plotly reports for a click on the FID point of epoch 1 (x = 1).
        var fidChart = page.FindComponents<LineChart>().Single(c => c.Instance.TestId == "fid-chart");
        await fidChart.InvokeAsync(() => fidChart.Instance.PointClicked(1));
        Assert.EndsWith("/samples/1.png", page.Find("[data-testid=sample-grid]").GetAttribute("src"));
        Assert.Contains("Digit classes, epoch 1", page.Markup);
        await page.Find("[data-testid=grid-keys]").KeyDownAsync(Key.Right);
        Assert.EndsWith("/samples/2.png", page.Find("[data-testid=sample-grid]").GetAttribute("src"));
        await page.Find("[data-testid=grid-keys]").KeyDownAsync(Key.Left);
        Assert.EndsWith("/samples/1.png", page.Find("[data-testid=sample-grid]").GetAttribute("src"));
    }

    [Fact]
    public async Task Failed_run_shows_its_error_and_health_flags_with_an_explanation()
    {
        var flag = new HealthFlag { Kind = HealthFlagKind.NonFinite, Epoch = 2, Detail = "D loss became NaN at step 7." };
        var run = await SeedRunAsync("broken", RunStatus.Failed, epochs: 1, error: "A weight became NaN in epoch 2.", flags: [flag]);
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, run.RunId.ToString()));
        page.WaitForAssertion(() => Assert.Contains("A weight became NaN in epoch 2.", page.Find("[data-testid=run-error]").TextContent));
        var flags = page.Find("[data-testid=health-flags]").TextContent;
        Assert.Contains("NonFinite", flags);
        Assert.Contains("became NaN or infinite", flags);
        Assert.Contains("D loss became NaN at step 7.", flags);
    }

    [Fact]
    public async Task Queued_run_says_no_grid_yet_and_offers_cancel()
    {
        var run = await SeedRunAsync("waiting", RunStatus.Queued, epochs: 0);
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, run.RunId.ToString()));
        page.WaitForAssertion(() => Assert.Contains("No epoch finished yet", page.Markup));
        Assert.Contains("Cancel", page.Markup);
        Assert.Contains("No checkpoint yet", page.Markup);
    }
}

public sealed class NewRunPageTests : ComponentTestContext
{
    [Fact]
    public void Prefills_the_tutorial_defaults()
    {
        var page = Render<NewRunPage>();
        Assert.Equal("50", page.Find("#epochs").GetAttribute("value"));
        Assert.Equal("256", page.Find("#batchSize").GetAttribute("value"));
        Assert.Equal("100", page.Find("#noiseDim").GetAttribute("value"));
        Assert.Equal("dcgan", page.Find("#name").GetAttribute("value"));
        Assert.Empty(page.FindAll(".mud-input-error"));
    }

    [Fact]
    public void Renders_an_input_for_every_spec_field_with_its_label_and_help()
    {
        var page = Render<NewRunPage>();
        Assert.All(RunSpecSchema.Fields, field =>
        {
            var control = page.Find($"#{field.Name}").Closest(".mud-input-control")!;
            Assert.Contains(field.Label, control.TextContent);
            Assert.Contains(field.Help, control.TextContent);
        });
    }

    [Fact]
    public async Task Typed_tags_and_notes_stay_as_typed_and_are_split_and_trimmed_on_submit()
    {
        var page = Render<NewRunPage>();
        page.Find("#tags").Input("baseline, lr-sweep, ");
        page.Find("#notes").Input("  ");
        Assert.Equal("baseline, lr-sweep, ", page.Find("#tags").GetAttribute("value"));
        page.Find("#notes").Input("tries beta2 ");
        page.Find("#beta2").Input("0.99");
        page.Find("#name").Input(" beta2 ");
        await page.Find("[data-testid=submit]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("/runs/", Navigation.Uri));
        var run = await Runs.GetAsync(Assert.Single((await Runs.ListAsync(new RunQuery())).Runs).RunId);
        Assert.Equal(["baseline", "lr-sweep"], run!.Spec.Tags);
        Assert.Equal(("beta2", "tries beta2 ", 0.99), (run.Spec.Name, run.Spec.Notes, run.Spec.Beta2));
    }

    [Theory]
    [InlineData("name", "", "Name must be 1-100 characters.")]
    [InlineData("tags", "good, bad tag!", "Each tag must be 1-40 characters of letters a-z or A-Z, digits, '-', '_' or '.' (not 'bad tag!').")]
    [InlineData("epochs", "0", "Epochs must be between 1 and 500.")]
    [InlineData("batchSize", "1", "Batch size must be between 2 and 4096.")]
    [InlineData("learningRate", "0", "Learning rate must be greater than 0 and at most 1.")]
    [InlineData("beta1", "1", "Beta1 must be in [0, 1).")]
    [InlineData("beta2", "-0.5", "Beta2 must be in [0, 1).")]
    [InlineData("noiseDim", "2000", "Noise dimension must be between 1 and 1024.")]
    [InlineData("seed", "-1", "Seed must be zero or positive.")]
    [InlineData("trainSubset", "10", "Train subset must be between the batch size (256) and 60,000 images, or empty for all.")]
    [InlineData("checkpointEvery", "0", "Checkpoint interval must be at least 1 epoch.")]
    [InlineData("evaluateEvery", "-1", "Evaluation interval must be 0 (off) or a number of epochs.")]
    [InlineData("evaluationSamples", "5", "Evaluation samples must be between 100 and 50,000.")]
    [InlineData("maxStepsPerEpoch", "0", "Max steps per epoch must be at least 1, or empty for whole epochs.")]
    public async Task Shows_the_api_validation_message_under_the_bad_field(string field, string value, string message)
    {
        var page = Render<NewRunPage>();
        page.Find($"#{field}").Input(value);
        page.WaitForAssertion(() => Assert.Contains(message, page.Find($"#{field}").Closest(".mud-input-control")!.TextContent));
        await page.Find("[data-testid=submit]").ClickAsync(new());
        Assert.Contains("Fix the field marked in red.", page.Markup);
        Assert.Equal(0, (await Runs.ListAsync(new RunQuery())).Total);
    }

    [Fact]
    public async Task First_look_preset_submits_its_spec_and_goes_to_the_run_page()
    {
        var page = Render<NewRunPage>();
        page.Find("#name").Input("quick");
        await page.Find("[data-testid=preset-first]").ClickAsync(new());
        Assert.Equal("first-look", page.Find("#preset").GetAttribute("value"));
        await page.Find("[data-testid=submit]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("/runs/", Navigation.Uri));
        var runs = (await Runs.ListAsync(new RunQuery())).Runs;
        var run = await Runs.GetAsync(Assert.Single(runs).RunId);
        var preset = RunPresets.Get(RunPresets.FirstLook);
        Assert.Equal(("first-look", "quick", preset.Epochs, preset.TrainSubset, preset.BatchSize, preset.GeneratorEma, preset.Sampling),
            (run!.Spec.Preset, run.Spec.Name, run.Spec.Epochs, run.Spec.TrainSubset, run.Spec.BatchSize, run.Spec.GeneratorEma, run.Spec.Sampling));
        page.WaitForAssertion(() => Assert.EndsWith($"/runs/{run.RunId}", Navigation.Uri));
    }

    [Fact]
    public async Task From_a_checkpoint_prefills_a_fork_and_from_alone_a_clone()
    {
        var parent = await SeedRunAsync("parent", RunStatus.Succeeded, epochs: 2, totalEpochs: 5, learningRate: 2e-4);
        Navigation.NavigateTo($"/runs/new?from={parent.RunId}&checkpoint=2");
        var fork = Render<NewRunPage>();
        fork.WaitForAssertion(() => Assert.Contains("Resumes as a fork of", fork.Markup));
        Assert.Equal("parent-from-2", fork.Find("#name").GetAttribute("value"));
        Assert.Equal("0.0002", fork.Find("#learningRate").GetAttribute("value"));
        Assert.Equal($"{parent.RunId}:2", fork.Find("#parent").GetAttribute("value"));
        Assert.True(fork.Find("#noiseDim").HasAttribute("disabled"));

        Navigation.NavigateTo($"/runs/new?from={parent.RunId}");
        var clone = Render<NewRunPage>();
        clone.WaitForAssertion(() => Assert.Equal("parent-copy", clone.Find("#name").GetAttribute("value")));
        Assert.DoesNotContain("Resumes as a fork of", clone.Markup);
        Assert.Equal("", clone.Find("#parent").GetAttribute("value") ?? "");
        Assert.False(clone.Find("#noiseDim").HasAttribute("disabled"));

        Navigation.NavigateTo($"/runs/new?from={Guid.NewGuid()}");
        var missing = Render<NewRunPage>();
        missing.WaitForAssertion(() => Assert.Contains("Run not found", missing.Markup));
    }
}

public sealed class ComparePageTests : ComponentTestContext
{
    [Fact]
    public async Task Shows_grids_side_by_side_cells_over_epochs_curves_and_only_differing_fields()
    {
        var a = await SeedRunAsync("lr-1e-4", RunStatus.Succeeded, epochs: 3, totalEpochs: 3, learningRate: 1e-4);
        var b = await SeedRunAsync("lr-2e-4", RunStatus.Succeeded, epochs: 2, totalEpochs: 3, learningRate: 2e-4);
        Navigation.NavigateTo($"/compare?runs={a.RunId},{b.RunId}&epoch=3");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=compare-grid]").Count));
        Assert.Contains($"/api/runs/{a.RunId}/samples/3.png", page.Markup);
        Assert.Contains("No grid of epoch 3 (this run has 2)", page.Markup);

        var diff = page.Find("[data-testid=spec-diff]").TextContent;
        Assert.Contains("learningRate", diff);
        Assert.Contains("0.0002", diff);
        Assert.DoesNotContain("batchSize", diff);

        Assert.NotEmpty(page.FindAll("[data-testid=compare-fid] [data-series]"));
        await page.Find("[data-cell='5']").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("cell=5", Navigation.Uri));
    }

    [Fact]
    public async Task The_url_state_selects_cell_view_and_epoch()
    {
        var a = await SeedRunAsync("a", RunStatus.Succeeded, epochs: 2, totalEpochs: 2);
        var b = await SeedRunAsync("b", RunStatus.Succeeded, epochs: 2, totalEpochs: 2);
        Navigation.NavigateTo($"/compare?runs={a.RunId},{b.RunId}&epoch=1&cell=7&view=flicker&zoom=2");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=cell-strip]").Count));
        Assert.Equal(2, page.FindAll("[data-testid=cell-strip]")[0].QuerySelectorAll("img").Length);
        Assert.Contains($"/api/runs/{b.RunId}/samples/2/cells/7.png", page.Markup);
        Assert.Contains("width:916px", page.Find("[data-testid=flicker-image]").GetAttribute("style"));
        Assert.EndsWith("/samples/1.png", page.Find("[data-testid=flicker-image]").GetAttribute("src"));
    }

    [Fact]
    public async Task Missing_runs_are_named_and_fewer_than_two_asks_for_more()
    {
        var a = await SeedRunAsync("alone", RunStatus.Succeeded, epochs: 1);
        var ghost = Guid.NewGuid();
        Navigation.NavigateTo($"/compare?runs={a.RunId},{ghost}");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Contains($"Run not found: {ghost}", page.Markup));
        Assert.Contains("Pick 2 to 6 runs", page.Markup);
    }
}

public sealed class LineChartTests : ComponentTestContext
{
    [Fact]
    public void A_one_epoch_runs_lone_point_is_drawn_large_and_inside_the_x_range()
    {
        var chart = Render<LineChart>(p => p
            .Add(c => c.Title, "FID")
            .Add(c => c.Epochs, 1)
            .Add(c => c.TestId, "fid-chart")
            .Add(c => c.Series, [new ChartSeries("FID", [new ChartPoint(1, 11.3)], "#8e24aa"), new ChartSeries("loss", [new ChartPoint(0.5, 1), new ChartPoint(1, 2)], "#1e88e5")]));

        var render = Assert.Single(JSInterop.Invocations, i => i.Identifier == "digitganCharts.render");
        var traces = Assert.IsType<object[]>(render.Arguments[1]).Cast<Dictionary<string, object?>>().ToList();
        Assert.Equal([10, 5], traces.Select(t => ((Dictionary<string, object?>)t["marker"]!)["size"]));
        var layout = Assert.IsType<Dictionary<string, object?>>(render.Arguments[2]);
        var range = Assert.IsType<double[]>(((Dictionary<string, object?>)layout["xaxis"]!)["range"]);
        Assert.Equal(0, range[0]);
        Assert.True(range[1] > 1, $"the x axis ends at {range[1]}: the last epoch's marker would be cut in half");
        var label = System.Text.Json.JsonSerializer.Serialize(layout["annotations"]);
        Assert.Contains("\"text\":\"epoch\"", label, StringComparison.Ordinal);
        Assert.Contains("\"x\":1,\"y\":0,\"xanchor\":\"left\",\"yanchor\":\"top\"", label, StringComparison.Ordinal); // outside the plot, past the axis's end
        Assert.Contains("data-points=\"1\"", chart.Markup, StringComparison.Ordinal);
    }
}
