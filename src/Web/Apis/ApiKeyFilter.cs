using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DigitGan.Web.Apis;

/// <summary>Write endpoints need the API key in X-Api-Key; without it: 401 with a ProblemDetails that says so.</summary>
public sealed class ApiKeyFilter(ApiKey key) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var given = context.HttpContext.Request.Headers[ApiKey.Header].ToString();
        if (key.Matches(given))
        {
            return await next(context).ConfigureAwait(false);
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "API key required",
            detail: string.IsNullOrEmpty(given)
                ? $"This endpoint changes runs: send the API key in the {ApiKey.Header} header (the web app prints where it is kept at start)."
                : $"The {ApiKey.Header} header does not match the configured API key.");
    }
}
