using System.Text.Json;
using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>infra/bicep compiles and lints with zero warnings, and says what the deployment promises.</summary>
public sealed class BicepTests
{
    public static TheoryData<string> BicepFiles() => [.. Directory.GetFiles(InfraTools.Path("infra", "bicep"), "*.bicep*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(InfraTools.Path(), f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Builds_and_lints_with_no_warnings(string file)
    {
        var build = file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build";
        var (buildCode, buildOutput) = InfraTools.RunWith(DeployEnvironment.Variables, InfraTools.Bicep, build, file, "--stdout");
        Assert.True(buildCode == 0, buildOutput);
        Assert.DoesNotContain("Warning", buildOutput, StringComparison.Ordinal);

        var (lintCode, lintOutput) = InfraTools.RunWith(DeployEnvironment.Variables, InfraTools.Bicep, "lint", file);
        Assert.True(lintCode == 0 && lintOutput.Trim().Length == 0, $"bicep lint {file}:\n{lintOutput}");
    }

    [Fact]
    public void Lint_is_real_it_flags_an_unused_parameter()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("digitgan-bicep-").FullName, "unused.bicep");
        File.WriteAllText(file, "param unused string\noutput x string = 'x'\n");
        Assert.Contains("no-unused-params", InfraTools.Run(InfraTools.Bicep, "lint", file).Output);
    }

    [Fact]
    public void Main_template_has_the_promised_resources_settings_and_outputs()
    {
        var (code, json) = InfraTools.Run(InfraTools.Bicep, "build", "infra/bicep/main.bicep", "--stdout");
        Assert.Equal(0, code);
        var arm = JsonDocument.Parse(json[..(json.LastIndexOf('}') + 1)]).RootElement;
        var text = arm.GetRawText();

        foreach (var type in new[]
        {
            "Microsoft.Storage/storageAccounts", "Microsoft.DBforPostgreSQL/flexibleServers", "Microsoft.KeyVault/vaults",
            "Microsoft.OperationalInsights/workspaces", "Microsoft.App/managedEnvironments", "Microsoft.App/containerApps",
            "Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Authorization/roleAssignments",
        })
        {
            Assert.Contains($"\"{type}", text, StringComparison.Ordinal);
        }

        Assert.Contains("\"allowBlobPublicAccess\":false", text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\"minimumTlsVersion\":\"TLS1_2\"", text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("deleteRetentionPolicy", text, StringComparison.Ordinal);
        Assert.Contains("ba92f5b4-2d11-453d-a403-e96b0029c9fe", text, StringComparison.Ordinal); // Storage Blob Data Contributor
        Assert.Contains("4633458b-17de-408a-b874-0445c86b69e6", text, StringComparison.Ordinal); // Key Vault Secrets User
        Assert.Contains("'api-key'", text, StringComparison.Ordinal);
        Assert.Contains("'postgres-password'", text, StringComparison.Ordinal);
        Assert.Contains("\"Microsoft.Insights/components", text, StringComparison.Ordinal);
        Assert.Contains("workloadProfileName", text, StringComparison.Ordinal);

        var outputs = arm.GetProperty("outputs").EnumerateObject().Select(o => o.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "webUrl", "storageAccount", "container" }, outputs);
        Assert.Equal("securestring", arm.GetProperty("parameters").GetProperty("apiKey").GetProperty("type").GetString());
        Assert.Equal("securestring", arm.GetProperty("parameters").GetProperty("postgresPassword").GetProperty("type").GetString());
    }

    [Fact]
    public void The_web_app_turns_anonymous_read_off_and_signs_in_with_oidc_whose_secrets_come_from_key_vault()
    {
        var (code, json) = InfraTools.Run(InfraTools.Bicep, "build", "infra/bicep/main.bicep", "--stdout");
        Assert.Equal(0, code);
        var arm = JsonDocument.Parse(json[..(json.LastIndexOf('}') + 1)]).RootElement;
        var text = arm.GetRawText().Replace(" ", "", StringComparison.Ordinal);

        // The env list compiles to createObject('name', N, 'value', V) / ('secretRef', S) calls.
        Assert.Contains("createObject('name','DigitGan__Auth__AnonymousRead','value','false')", text, StringComparison.Ordinal);
        foreach (var setting in new[] { "Authority", "ClientId", "Audience", "RoleClaim", "OperatorValue" })
        {
            Assert.Contains($"DigitGan__Auth__Oidc__{setting}", text, StringComparison.Ordinal);
        }

        Assert.Contains("createObject('name','DigitGan__Auth__Oidc__ClientSecret','secretRef','oidc-client-secret')", text, StringComparison.Ordinal);
        Assert.Contains("createObject('name','DigitGan__Auth__DataProtectionSecret','secretRef','data-protection-secret')", text, StringComparison.Ordinal);
        Assert.Contains("'oidc-client-secret'", text, StringComparison.Ordinal); // a Key Vault secret
        foreach (var secret in new[] { "oidcClientSecret", "dataProtectionSecret" })
        {
            var parameter = arm.GetProperty("parameters").GetProperty(secret);
            Assert.Equal("securestring", parameter.GetProperty("type").GetString());
            Assert.False(parameter.TryGetProperty("defaultValue", out _), $"{secret} must have no default");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Each_environment_has_a_parameters_file(string environment)
    {
        var file = InfraTools.Path("infra", "bicep", $"main.{environment}.bicepparam");
        Assert.Contains($"param environmentName = '{environment}'", File.ReadAllText(file), StringComparison.Ordinal);
    }
}
