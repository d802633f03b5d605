using System.Reflection;
using System.Security.Claims;
using Bunit;
using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Pages.Runs;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests.Components;

/// <summary>
/// What a visitor who is not an operator sees, and that the server refuses their writes even when a page's handler
/// is invoked directly (a hidden button is not the check).
/// </summary>
public sealed class ViewerPageTests : ComponentTestContext
{
    public ViewerPageTests() => Authorization.SetNotAuthorized();

    [Fact]
    public void The_new_run_form_asks_an_anonymous_visitor_to_sign_in_instead_of_offering_start()
    {
        var page = Render<NewRunPage>();
        Assert.Empty(page.FindAll("[data-testid=submit]"));
        Assert.Contains("Sign in to start runs", page.Find("[data-testid=sign-in-prompt]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("/signin?returnUrl=", page.Find("[data-testid=sign-in-prompt]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_submit_handler_invoked_directly_for_an_anonymous_visitor_is_refused_and_stores_nothing()
    {
        var page = Render<NewRunPage>();
        var submit = typeof(NewRunPage).GetMethod("SubmitAsync", BindingFlags.Instance | BindingFlags.NonPublic)!;
        await page.InvokeAsync(() => (Task)submit.Invoke(page.Instance, null)!);
        page.Render(); // an event callback would re-render; a direct call does not

        page.WaitForAssertion(() => Assert.Contains("Sign in to start runs", page.Find("[data-testid=access-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal(0, (await Runs.ListAsync(new RunQuery())).Total);
    }

    [Fact]
    public async Task A_run_page_shows_a_viewer_no_cancel_delete_resume_or_clone_but_a_sign_in_prompt()
    {
        var run = await SeedRunAsync("watched", RunStatus.Running, epochs: 2);
        var page = Render<RunDetailPage>(p => p.Add(c => c.Id, run.RunId.ToString()));
        page.WaitForAssertion(() => Assert.Contains("Sign in to change this run", page.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() is "Cancel" or "Delete");
        Assert.DoesNotContain("Resume from here", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(page.FindAll("a"), a => a.TextContent.Trim() == "Clone");
    }

    [Fact]
    public async Task The_service_the_pages_and_the_api_share_refuses_anonymous_and_viewer_writes()
    {
        var runs = Services.GetRequiredService<RunService>();
        var existing = await SeedRunAsync("kept", RunStatus.Running, epochs: 1);
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());
        var viewer = TestTokens.Principal("vera");

        foreach (var (user, status) in new[] { (anonymous, 401), (viewer, 403) })
        {
            Assert.Equal(status, (await Assert.ThrowsAsync<RunAccessDeniedException>(() => runs.SubmitAsync(new RunSpec { Name = "no" }, user))).StatusCode);
            Assert.Equal(status, (await Assert.ThrowsAsync<RunAccessDeniedException>(() => runs.CancelAsync(existing.RunId, user))).StatusCode);
            Assert.Equal(status, (await Assert.ThrowsAsync<RunAccessDeniedException>(() => runs.DeleteAsync(existing.RunId, user))).StatusCode);
        }

        var after = await Runs.GetAsync(existing.RunId);
        Assert.Equal((RunStatus.Running, null), (after!.Status, after.CancelRequestedAt));
        Assert.Equal(1, (await Runs.ListAsync(new RunQuery())).Total);

        var submitted = await runs.SubmitAsync(new RunSpec { Name = "yes" }, TestTokens.Principal("olga", DigitGanRoles.Operator));
        Assert.Equal("olga", submitted.CreatedBy);
        Assert.Equal("olga", (await runs.CancelAsync(submitted.RunId, TestTokens.Principal("olga", DigitGanRoles.Operator))).CancelledBy);
    }
}
