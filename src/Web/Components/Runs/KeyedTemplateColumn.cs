using DigitGan.Shared.Runs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DigitGan.Web.Components.Runs;

/// <summary>
/// A template column of the runs table named by <see cref="Key"/>: the grid files its sort under the column's name,
/// and a <see cref="TemplateColumn{T}"/> otherwise names itself with a new GUID each time, which no URL can refer to.
/// </summary>
public sealed class KeyedTemplateColumn : TemplateColumn<RunSummary>
{
    [Parameter, EditorRequired]
    public string Key { get; set; } = "";

    public override string PropertyName => Key;
}
