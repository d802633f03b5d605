using System.Security.Claims;

namespace DigitGan.Web.Security;

/// <summary>
/// The check every write makes in <see cref="Services.RunService"/>, the layer the pages and the API share: only an
/// operator changes runs, whatever the page showed. Returns the name recorded in the manifest and the log.
/// </summary>
public static class RunAccess
{
    /// <summary>The app itself, for the first quick run it submits at start.</summary>
    public static ClaimsPrincipal System { get; } = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, DigitGanRoles.SystemUser), new Claim(ClaimTypes.Role, DigitGanRoles.Operator)], "system"));

    /// <summary>
    /// The sweep coordinator acting for the operator who created the sweep (checked then): the runs it submits and the
    /// cancels it makes go through <see cref="Services.RunService"/> as that operator's, recorded as "name (sweep)".
    /// </summary>
    public static ClaimsPrincipal ForSweep(string? createdBy) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, $"{createdBy ?? DigitGanRoles.SystemUser} (sweep)"), new Claim(ClaimTypes.Role, DigitGanRoles.Operator)], "sweep"));

    public static string RequireOperator(ClaimsPrincipal user, string action)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new RunAccessDeniedException(StatusCodes.Status401Unauthorized, $"Sign in to {action}: viewing needs no sign-in, changing runs does.");
        }

        return user.IsInRole(DigitGanRoles.Operator)
            ? NameOf(user)
            : throw new RunAccessDeniedException(StatusCodes.Status403Forbidden, $"{NameOf(user)} may view runs but not {action}: that needs the operator role.");
    }

    public static bool IsOperator(ClaimsPrincipal? user) => user?.Identity?.IsAuthenticated == true && user.IsInRole(DigitGanRoles.Operator);

    public static string NameOf(ClaimsPrincipal user) =>
        user.Identity?.Name ?? user.FindFirst("preferred_username")?.Value ?? user.FindFirst("sub")?.Value ?? "unknown";
}
