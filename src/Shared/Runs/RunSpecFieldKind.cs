namespace DigitGan.Shared.Runs;

/// <summary>What a <see cref="RunSpecField"/> holds: picks its form input, its CLI option and its JSON type in the docs.</summary>
public enum RunSpecFieldKind
{
    /// <summary>Required text: <see cref="RunSpecField{T}"/> of string.</summary>
    Text,

    /// <summary>Free text that may be absent (blank means null): string?, a multi-line input.</summary>
    OptionalText,

    /// <summary>A list of short labels: IReadOnlyList&lt;string&gt;.</summary>
    Tags,

    /// <summary>int.</summary>
    Int,

    /// <summary>int? (empty means null).</summary>
    OptionalInt,

    /// <summary>long.</summary>
    Long,

    /// <summary>double.</summary>
    Double,

    /// <summary>double? (empty means null).</summary>
    OptionalDouble,

    /// <summary>One of an enum's values, by name.</summary>
    Choice,

    /// <summary>A <see cref="RunParent"/>? (a run id and one of its checkpoint epochs).</summary>
    Parent,

    /// <summary>The name of a <see cref="RunPresets"/> entry (string?): setting it replaces the spec with the preset's, which other fields then change.</summary>
    Preset,
}
