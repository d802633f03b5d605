namespace DigitGan.Web.Security;

/// <summary>A write refused by <see cref="RunAccess"/>: 401 when nobody signed in, 403 for a viewer.</summary>
public sealed class RunAccessDeniedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
