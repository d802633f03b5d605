using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace DigitGan.Jobs.Remote;

/// <summary>
/// The HttpClient of the REST client verbs (`submit`): transient failures are retried with jittered exponential
/// backoff (Microsoft.Extensions.Http.Resilience), a Retry-After header sets the wait, and 400, 401, 403 and 404
/// come back at once. Reads retry every transient failure (408, 429, 5xx, network errors, an attempt's timeout).
/// A submit (POST) retries only answers that say the app did not take it (429, 502, 503) and connections that never
/// opened: after a 500, a 504 or a timeout the run may exist already, and a retry would submit it twice.
/// </summary>
public static class ResilientHttpClient
{
    /// <summary>Retries after the first attempt: about a minute and a half of an outage at the default delays.</summary>
    public const int MaxRetries = 6;

    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The longest Retry-After honoured (a longer one is cut to this).</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take before it counts as a transient failure.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(100);

    /// <summary>All attempts of one call together (HttpClient.Timeout).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(15);

    public static HttpClient Create(Uri baseAddress, string apiKey, TextWriter log)
    {
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = FirstDelay,
            MaxDelay = MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context.GetRequestMessage()?.Method, args.Outcome)),
            OnRetry = args =>
            {
                var request = args.Context.GetRequestMessage();
                var failure = args.Outcome.Result is { } response ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : args.Outcome.Exception?.Message;
                log.WriteLine($"{request?.Method} {request?.RequestUri}: {failure}; retry {args.AttemptNumber + 1} of {MaxRetries} in {args.RetryDelay.TotalSeconds:0.0} s.");
                return ValueTask.CompletedTask;
            },
        };
        var retryAfter = retry.DelayGenerator!;
        retry.DelayGenerator = async args => await retryAfter(args).ConfigureAwait(false) is { } wait ? (wait < MaxRetryAfter ? wait : MaxRetryAfter) : null;

        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(retry)
            .AddTimeout(AttemptTimeout)
            .Build();
        var http = new HttpClient(new AttemptTimeoutAsNetworkError(new ResilienceHandler(pipeline) { InnerHandler = new SocketsHttpHandler() }))
        {
            BaseAddress = baseAddress,
            Timeout = CallTimeout,
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    /// <summary>Whether an attempt's outcome is worth another attempt of the same request.</summary>
    public static bool ShouldRetry(HttpMethod? method, Outcome<HttpResponseMessage> outcome)
    {
        if (method == HttpMethod.Get || method == HttpMethod.Head)
        {
            return HttpClientResiliencePredicates.IsTransient(outcome);
        }

        return outcome switch
        {
            { Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable } => true,
            { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } } => true,
            _ => false,
        };
    }

    /// <summary>An attempt that timed out on its last try surfaces as a network error, which the verbs report as such.</summary>
    private sealed class AttemptTimeoutAsNetworkError(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutRejectedException ex)
            {
                throw new HttpRequestException($"no answer within {AttemptTimeout.TotalSeconds:0} s", ex);
            }
        }
    }
}
