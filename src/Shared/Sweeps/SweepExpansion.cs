using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;

namespace DigitGan.Shared.Sweeps;

/// <summary>
/// Turns a sweep spec into its trials: the cross product of the grid axes' values, times <see cref="SweepSpec.Trials"/>
/// draws of the random axes (one random stream from the sweep seed, drawn trial by trial, axis by axis). Each trial's
/// spec is the base spec with its axis values set by field name through the run spec's JSON, then checked by
/// <see cref="RunSpec.Validate"/>; a problem is reported on the axis value that caused it.
/// </summary>
public static class SweepExpansion
{
    /// <summary>The run spec fields an axis may vary: the numeric and choice fields (not name, tags, notes, preset or parent).</summary>
    public static IReadOnlyList<RunSpecField> SweepableFields { get; } =
        [.. RunSpecSchema.Fields.Where(f => f.Kind is RunSpecFieldKind.Int or RunSpecFieldKind.OptionalInt or RunSpecFieldKind.Long
            or RunSpecFieldKind.Double or RunSpecFieldKind.OptionalDouble or RunSpecFieldKind.Choice)];

    /// <summary>The trials of a valid spec; <see cref="SweepSpecException"/> naming the fields of an invalid one.</summary>
    public static IReadOnlyList<SweepTrial> Expand(SweepSpec spec, Guid sweepId)
    {
        var (trials, errors) = TryExpand(spec, sweepId);
        return errors.Count > 0 ? throw new SweepSpecException(errors) : trials;
    }

    /// <summary>The number of runs the spec makes (grid points times random trials), before any check of their specs.</summary>
    public static long RunCount(SweepSpec spec)
    {
        long count = spec.Axes.Any(a => a.IsRandom) ? Math.Max(spec.Trials, 0) : 1;
        foreach (var axis in spec.Axes.Where(a => !a.IsRandom))
        {
            count = Math.Min(count * Math.Max(axis.Values?.Count ?? 0, 0), long.MaxValue / 1024);
        }

        return count;
    }

    public static (IReadOnlyList<SweepTrial> Trials, IReadOnlyDictionary<string, string[]> Errors) TryExpand(SweepSpec spec, Guid sweepId)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        IReadOnlyDictionary<string, string[]> Result() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > SweepSpec.MaxNameLength || spec.Name.Any(char.IsControl))
        {
            Add("name", $"Name must be 1-{SweepSpec.MaxNameLength} characters on one line.");
        }

        if (spec.Base is null)
        {
            Add("base", "The base run spec is required (a JSON object as POST /api/runs takes, e.g. {\"epochs\": 5}).");
            return ([], Result());
        }

        foreach (var (field, messages) in spec.Base.Validate())
        {
            foreach (var message in messages)
            {
                Add($"base.{field}", message);
            }
        }

        if (spec.Base.Tags is { Count: >= RunSpec.MaxTags })
        {
            Add("base.tags", $"A sweep's runs take at most {RunSpec.MaxTags - 1} tags of their own: each also gets the sweep's tag.");
        }

        if (spec.Base.Parent is not null)
        {
            Add("base.parent", "A sweep's runs start from scratch: leave parent out.");
        }

        var axes = spec.Axes ?? [];
        if (axes.Count == 0)
        {
            Add("axes", "Give at least one axis: a run spec field and its values, e.g. {\"field\": \"learningRate\", \"values\": [1e-4, 2e-4]}.");
        }
        else if (axes.Count > SweepSpec.MaxAxes)
        {
            Add("axes", $"A sweep has at most {SweepSpec.MaxAxes} axes (got {axes.Count}).");
        }

        var fields = new RunSpecField?[axes.Count];
        for (var i = 0; i < axes.Count; i++)
        {
            var axis = axes[i];
            var key = $"axes[{i}]";
            if (axis is null)
            {
                Add(key, "An axis must be an object with field and values (or kind, min and max).");
                continue;
            }

            var field = SweepableFields.FirstOrDefault(f => string.Equals(f.Name, axis.Field, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                Add($"{key}.field", $"'{Shorten(axis.Field)}' is not a field a sweep can vary; use one of {string.Join(", ", SweepableFields.Select(f => f.Name))}.");
                continue;
            }

            if (axes.Take(i).Any(other => string.Equals(other?.Field, field.Name, StringComparison.OrdinalIgnoreCase)))
            {
                Add($"{key}.field", $"{field.Name} is already an axis of this sweep: give each field once.");
                continue;
            }

            if (spec.Asha is not null && field.Name == "epochs")
            {
                Add($"{key}.field", "With asha, epochs is the budget of every run (the base spec's epochs): it cannot be an axis.");
                continue;
            }

            if (!Enum.IsDefined(axis.Kind))
            {
                Add($"{key}.kind", "Kind must be Grid, Uniform or LogUniform.");
                continue;
            }

            if (axis.IsRandom)
            {
                if (field.Kind is RunSpecFieldKind.Choice)
                {
                    Add($"{key}.kind", $"{field.Name} is a choice: give its values as a Grid axis.");
                    continue;
                }

                if (axis.Values is { Count: > 0 })
                {
                    Add($"{key}.values", $"A {axis.Kind} axis draws its values between min and max: leave values out.");
                }

                if (axis.Min is not { } min || axis.Max is not { } max || !double.IsFinite(min) || !double.IsFinite(max))
                {
                    Add($"{key}.min", $"A {axis.Kind} axis needs min and max (numbers).");
                    continue;
                }

                if (!(min < max))
                {
                    Add($"{key}.max", $"Max must be above min (got min {Invariant(min)}, max {Invariant(max)}).");
                    continue;
                }

                if (axis.Kind == SweepAxisKind.LogUniform && !(min > 0))
                {
                    Add($"{key}.min", $"A LogUniform axis needs min above 0 (got {Invariant(min)}).");
                    continue;
                }
            }
            else
            {
                if (axis.Values is not { Count: > 0 })
                {
                    Add($"{key}.values", "A Grid axis needs at least one value.");
                    continue;
                }

                if (axis.Values.Count > SweepSpec.MaxRuns)
                {
                    Add($"{key}.values", $"A Grid axis has at most {SweepSpec.MaxRuns} values (got {axis.Values.Count}).");
                    continue;
                }

                if (axis.Min is not null || axis.Max is not null)
                {
                    Add($"{key}.min", "A Grid axis takes values, not min and max (set kind to Uniform or LogUniform to draw them).");
                }
            }

            fields[i] = field;
        }

        var hasRandom = axes.Any(a => a?.IsRandom == true);
        if (spec.Trials < 1)
        {
            Add("trials", "Trials must be at least 1.");
        }
        else if (!hasRandom && spec.Trials != 1)
        {
            Add("trials", "Trials counts the draws of Uniform and LogUniform axes; this sweep has none (repeat runs with a seed axis instead).");
        }

        if (spec.Seed < 0)
        {
            Add("seed", "The sweep seed must be zero or positive.");
        }

        if (spec.Asha is { } asha)
        {
            ValidateAsha(asha, spec.Base, Add);
        }

        if (errors.Count > 0)
        {
            return ([], Result());
        }

        var runs = RunCount(spec);
        if (runs > SweepSpec.MaxRuns)
        {
            Add(hasRandom ? "trials" : "axes", $"The sweep makes {runs:N0} runs ({Describe(spec)}); a sweep has at most {SweepSpec.MaxRuns}.");
            return ([], Result());
        }

        return (Build(spec, fields!, sweepId, Add), Result());
    }

    private static void ValidateAsha(AshaSettings asha, RunSpec baseSpec, Action<string, string> add)
    {
        if (!Enum.IsDefined(asha.Metric))
        {
            add("asha.metric", "Metric must be Fid (lower is better) or InceptionScore (higher is better).");
        }

        if (asha.ReductionFactor is < AshaSettings.MinReductionFactor or > AshaSettings.MaxReductionFactor)
        {
            add("asha.reductionFactor", $"The reduction factor must be between {AshaSettings.MinReductionFactor} and {AshaSettings.MaxReductionFactor} (got {asha.ReductionFactor}).");
            return;
        }

        if (asha.MinEpochs < 1 || asha.MinEpochs >= baseSpec.Epochs)
        {
            add("asha.minEpochs", $"Min epochs must be at least 1 and below the base spec's epochs ({baseSpec.Epochs}), the budget of a run that is never stopped.");
            return;
        }

        if (baseSpec.EvaluateEvery < 1)
        {
            add("base.evaluateEvery", "Successive halving ranks runs by their evaluations: evaluateEvery must be 1 or more.");
            return;
        }

        var unscored = AshaScheduler.Rungs(asha, baseSpec.Epochs).Where(r => r < baseSpec.Epochs && r % baseSpec.EvaluateEvery != 0).ToList();
        if (unscored.Count > 0)
        {
            add("base.evaluateEvery", $"Every rung must be an evaluated epoch; rungs {string.Join(", ", unscored)} are not multiples of evaluateEvery ({baseSpec.EvaluateEvery}).");
        }
    }

    private static List<SweepTrial> Build(SweepSpec spec, RunSpecField[] fields, Guid sweepId, Action<string, string> add)
    {
        var axes = spec.Axes;
        var grid = Enumerable.Range(0, axes.Count).Where(i => !axes[i].IsRandom).ToList();
        var random = Enumerable.Range(0, axes.Count).Where(i => axes[i].IsRandom).ToList();
        var draws = DrawRandom(spec, random);

        // Grid points in order, the last grid axis varying fastest; each crossed with every random draw.
        IEnumerable<int[]> points = [[]];
        foreach (var i in grid)
        {
            points = points.SelectMany(p => Enumerable.Range(0, axes[i].Values.Count).Select(v => (int[])[.. p, v])).ToList();
        }

        var baseNode = JsonSerializer.SerializeToNode(spec.Base, ArtifactJson.Options)!.AsObject();
        var tags = spec.Base.Tags.Append(SweepLayout.Tag(sweepId)).ToList();
        var trials = new List<SweepTrial>();
        var reported = new HashSet<string>();
        foreach (var point in points)
        {
            foreach (var draw in draws)
            {
                var index = trials.Count;
                var node = baseNode.DeepClone().AsObject();
                var values = new Dictionary<string, (int Axis, string Key)>();
                for (var g = 0; g < grid.Count; g++)
                {
                    var axis = grid[g];
                    node[fields[axis].Name] = JsonNode.Parse(axes[axis].Values[point[g]].GetRawText());
                    values[fields[axis].Name] = (axis, $"axes[{axis}].values[{point[g]}]");
                }

                for (var r = 0; r < random.Count; r++)
                {
                    var axis = random[r];
                    node[fields[axis].Name] = fields[axis].Kind is RunSpecFieldKind.Double or RunSpecFieldKind.OptionalDouble
                        ? JsonValue.Create(draw[r])
                        : JsonValue.Create((long)Math.Round(draw[r]));
                    values[fields[axis].Name] = (axis, $"axes[{axis}]");
                }

                node["name"] = $"{spec.Name}-{index + 1:D2}";
                node["tags"] = new JsonArray([.. tags.Select(t => JsonValue.Create(t))]);
                RunSpec trialSpec;
                try
                {
                    trialSpec = node.Deserialize<RunSpec>(ArtifactJson.Options)!;
                }
                catch (JsonException ex)
                {
                    var (name, (_, key)) = values.FirstOrDefault(v => ex.Path?.TrimStart('$', '.').Split('.', '[')[0] == v.Key);
                    var field = RunSpecSchema.Find(name ?? "");
                    if (reported.Add(key ?? "axes"))
                    {
                        add(key ?? "axes", field is null ? $"A value does not have the type its field expects: {ex.Message}"
                            : $"Invalid value for {field.Name}: expected {(field.Kind == RunSpecFieldKind.Choice ? "one of " + string.Join(", ", field.Choices) : field.JsonType.Replace("`", "", StringComparison.Ordinal))} ({field.Limits}).");
                    }

                    continue;
                }

                foreach (var (field, messages) in trialSpec.Validate())
                {
                    var key = values.TryGetValue(field, out var source) ? source.Key : $"base.{field}";
                    if (reported.Add(key))
                    {
                        add(key, $"{string.Join(" ", messages)} (trial {index + 1}: {Describe(trialSpec, values.Keys)})");
                    }
                }

                trials.Add(new SweepTrial
                {
                    Index = index,
                    RunId = SweepLayout.TrialRunId(sweepId, index),
                    Values = values.Keys.ToDictionary(name => name, name => RunSpecSchema.Find(name)!.Display(trialSpec)),
                    Spec = trialSpec,
                });
            }
        }

        return trials;
    }

    /// <summary>The random axes' values per trial: one stream from the sweep seed, trial by trial, axis by axis.</summary>
    private static List<double[]> DrawRandom(SweepSpec spec, List<int> random)
    {
        if (random.Count == 0)
        {
            return [[]];
        }

        var rng = new Random(unchecked((int)(spec.Seed ^ (spec.Seed >> 32))));
        var draws = new List<double[]>();
        for (var t = 0; t < spec.Trials; t++)
        {
            draws.Add([.. random.Select(i =>
            {
                var axis = spec.Axes[i];
                var (min, max, u) = (axis.Min!.Value, axis.Max!.Value, rng.NextDouble());
                return axis.Kind == SweepAxisKind.LogUniform ? Math.Exp(Math.Log(min) + (u * (Math.Log(max) - Math.Log(min)))) : min + (u * (max - min));
            })]);
        }

        return draws;
    }

    private static string Describe(SweepSpec spec) => string.Join(" x ",
        spec.Axes.Where(a => !a.IsRandom).Select(a => $"{a.Values.Count} {a.Field}")
            .Concat(spec.Axes.Any(a => a.IsRandom) ? [$"{spec.Trials} random trials"] : []));

    private static string Describe(RunSpec spec, IEnumerable<string> fields)
        => string.Join(", ", fields.Select(f => $"{f} = {RunSpecSchema.Find(f)!.Display(spec)}"));

    private static string Invariant(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    private static string Shorten(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "..." : text;
}
