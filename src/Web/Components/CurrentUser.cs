using System.Security.Claims;
using DigitGan.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;

namespace DigitGan.Web.Components;

/// <summary>The signed-in user of a page's circuit (an anonymous principal when nobody signed in).</summary>
public static class CurrentUser
{
    public static async Task<ClaimsPrincipal> GetAsync(Task<AuthenticationState>? state) =>
        state is null ? new ClaimsPrincipal(new ClaimsIdentity()) : (await state.ConfigureAwait(false)).User;

    public static async Task<bool> IsOperatorAsync(Task<AuthenticationState>? state) => RunAccess.IsOperator(await GetAsync(state).ConfigureAwait(false));
}
