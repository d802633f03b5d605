using Azure;
using Azure.Identity;

namespace DigitGan.Web.Services;

/// <summary>Which exceptions mean "the artifact store did not answer" (shown as "Storage is unreachable", never as a stack trace).</summary>
public static class StorageErrors
{
    public static bool IsUnreachable(Exception exception) =>
        exception is RequestFailedException or IOException or HttpRequestException or AuthenticationFailedException or TimeoutException
        || (exception is AggregateException { InnerException: { } inner } && IsUnreachable(inner));
}
