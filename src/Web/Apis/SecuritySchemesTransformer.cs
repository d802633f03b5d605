using DigitGan.Web.Services;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DigitGan.Web.Apis;

/// <summary>Declares the API key and bearer schemes in the OpenAPI document, so the API reference page can send them.</summary>
public sealed class SecuritySchemesTransformer : IOpenApiDocumentTransformer
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                Name = ApiKey.Header,
                In = ParameterLocation.Header,
                Description = "The API key (operator): the web app's start message says where it is kept.",
            },
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token of the configured OpenID Connect provider; operators carry its operator role or group.",
            },
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
        ];
        return Task.CompletedTask;
    }
}
