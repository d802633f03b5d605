using System.Text.Json;

namespace DigitGan.Shared.Runs;

/// <summary>
/// A change to what describes a run after submit: its name, tags and notes (null: left as it is). Every other field
/// of the spec is what the run trained with and stays as it was. The limits are <see cref="RunSpec.Validate"/>'s.
/// </summary>
public sealed record RunEdit
{
    /// <summary>The spec fields an edit may change, by their JSON names.</summary>
    public static IReadOnlyList<string> EditableFields { get; } = ["name", "tags", "notes"];

    public string? Name { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>New notes; an empty string clears them.</summary>
    public string? Notes { get; init; }

    public bool IsEmpty => Name is null && Tags is null && Notes is null;

    /// <summary>The spec with the edit applied (notes that are empty or blank are cleared).</summary>
    public RunSpec ApplyTo(RunSpec spec) => spec with
    {
        Name = Name ?? spec.Name,
        Tags = Tags ?? spec.Tags,
        Notes = Notes is null ? spec.Notes : string.IsNullOrWhiteSpace(Notes) ? null : Notes,
    };

    /// <summary>The problems of the edited fields by field name, with the same rules and messages as a submit; empty when valid.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(RunSpec current)
    {
        if (IsEmpty)
        {
            return new Dictionary<string, string[]> { ["body"] = [$"Send at least one of {string.Join(", ", EditableFields)} to change."] };
        }

        var errors = ApplyTo(current).Validate();
        return errors.Where(e => EditableFields.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value);
    }

    /// <summary>
    /// Reads a PATCH body: a JSON object of name, tags and notes. A training field of the spec, an unknown member or a
    /// value of the wrong type throws <see cref="RunSpecException"/> naming it.
    /// </summary>
    public static RunEdit Parse(ReadOnlySpan<byte> json)
    {
        static RunSpecException Problem(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw Problem("body", $"Invalid JSON: {ex.Message.Split(" Path:")[0]} Send e.g. {{\"name\":\"new-name\",\"tags\":[\"a\"],\"notes\":\"...\"}}.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Problem("body", "Send a JSON object with any of name, tags and notes, e.g. {\"name\":\"new-name\"}.");
            }

            var edit = new RunEdit();
            foreach (var member in document.RootElement.EnumerateObject())
            {
                var value = member.Value;
                edit = member.Name switch
                {
                    "name" when value.ValueKind == JsonValueKind.String => edit with { Name = value.GetString() },
                    "name" => throw Problem("name", "Name must be a string."),
                    "tags" when value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String)
                        => edit with { Tags = [.. value.EnumerateArray().Select(t => t.GetString()!)] },
                    "tags" when value.ValueKind == JsonValueKind.Null => edit with { Tags = [] },
                    "tags" => throw Problem("tags", "Tags must be an array of strings, e.g. [\"baseline\"]; [] removes them all."),
                    "notes" when value.ValueKind == JsonValueKind.String => edit with { Notes = value.GetString() },
                    "notes" when value.ValueKind == JsonValueKind.Null => edit with { Notes = "" },
                    "notes" => throw Problem("notes", "Notes must be a string, or null to clear them."),
                    _ when RunSpecSchema.Find(member.Name) is { } field
                        => throw Problem(field.Name, $"{field.Label} is a training field and cannot change after submit; only {string.Join(", ", EditableFields)} can. Clone the run to train with another {field.Label.ToLowerInvariant()}."),
                    _ => throw Problem(member.Name, $"Unknown field '{member.Name}'; a run's {string.Join(", ", EditableFields)} can be changed."),
                };
            }

            return edit;
        }
    }
}
