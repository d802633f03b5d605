using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace DigitGan.Web;

/// <summary>
/// Turns expected failures into ProblemDetails: a bad spec is a 400 naming each field, an unknown run a 404, an
/// unreachable store a 503 that says so. Nothing returns a stack trace.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem = exception switch
        {
            RunSpecException spec => new ValidationProblemDetails(spec.Errors.ToDictionary(e => e.Key, e => e.Value)) { Status = 400, Title = "The run spec is invalid" },
            SweepSpecException sweep => new ValidationProblemDetails(sweep.Errors.ToDictionary(e => e.Key, e => e.Value)) { Status = 400, Title = "The sweep spec is invalid" },
            RunAccessDeniedException denied => new ProblemDetails { Status = denied.StatusCode, Title = denied.StatusCode == 401 ? "Not signed in" : "Operator role required", Detail = denied.Message },
            RunNotFoundException notFound => new ProblemDetails { Status = 404, Title = "Not found", Detail = $"Run {notFound.RunId} does not exist." },
            RunQueueFullException full => new ProblemDetails { Status = 429, Title = "Too many queued runs", Detail = full.Message },
            RunDamagedException damaged => new ProblemDetails { Status = 409, Title = "The run is damaged", Detail = damaged.Message },
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            _ when StorageErrors.IsUnreachable(exception)
                => new ProblemDetails { Status = 503, Title = "Storage is unreachable", Detail = "The artifact store did not answer; nothing was changed. Try again shortly." },
            _ => new ProblemDetails { Status = 500, Title = "Unexpected error", Detail = "The request failed unexpectedly; the error is in the server log." },
        };
        if (problem.Status >= 500)
        {
            logger.LogError(exception, "Request {Path} failed: {Title}", httpContext.Request.Path, problem.Title);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (exception is RunQueueFullException queueFull)
        {
            httpContext.Response.Headers.RetryAfter = queueFull.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = null }).ConfigureAwait(false);
    }
}
