namespace DigitGan.Web.Security;

/// <summary>Roles and policies: viewers read everything; operators also submit, cancel, delete, resume, clone and edit runs.</summary>
public static class DigitGanRoles
{
    public const string Operator = "operator";

    /// <summary>Reads: everyone when anonymous read is on, else any signed-in user.</summary>
    public const string ViewerPolicy = "viewer";

    public const string OperatorPolicy = "operator";

    /// <summary>The name recorded for changes made with the API key.</summary>
    public const string ApiKeyUser = "api-key";

    /// <summary>The name recorded for runs the app submits itself (the first quick run).</summary>
    public const string SystemUser = "digitgan";
}
