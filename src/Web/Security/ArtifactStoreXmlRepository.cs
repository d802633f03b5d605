using System.Text;
using System.Xml.Linq;
using DigitGan.Shared.Artifacts;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace DigitGan.Web.Security;

/// <summary>
/// Keeps ASP.NET Core's data-protection keys in the artifact store (keys/data-protection/), so every web replica and
/// every restart shares them: cookies and antiforgery tokens stay valid when Container Apps runs two replicas or
/// restarts one. On the embedded default the store is the data folder.
/// </summary>
public sealed class ArtifactStoreXmlRepository(IArtifactStore store) : IXmlRepository
{
    public const string Prefix = "keys/data-protection/";

    // The data-protection system calls these synchronously and rarely (start, key rotation): blocking is acceptable.
    public IReadOnlyCollection<XElement> GetAllElements() => ReadAllAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.Concat(friendlyName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
        store.PutBytesAsync($"{Prefix}{name}.xml", Encoding.UTF8.GetBytes(element.ToString(SaveOptions.DisableFormatting))).GetAwaiter().GetResult();
    }

    private async Task<IReadOnlyCollection<XElement>> ReadAllAsync()
    {
        var elements = new List<XElement>();
        await foreach (var info in store.ListAsync(Prefix).ConfigureAwait(false))
        {
            if (await store.GetBytesAsync(info.Path).ConfigureAwait(false) is not { } bytes)
            {
                continue;
            }

            try
            {
                elements.Add(XElement.Parse(Encoding.UTF8.GetString(bytes)));
            }
            catch (System.Xml.XmlException)
            {
                // A damaged key file costs only that key (sessions it protected sign in again); the others still work.
            }
        }

        return elements;
    }
}
