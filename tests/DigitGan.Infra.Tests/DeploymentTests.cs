using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace DigitGan.Infra.Tests;

/// <summary>
/// What the compiled ARM template and the parameter files promise that can be checked without Azure: secrets with
/// no empty defaults, GPU requests that fit their profile, a registry credential for every image not pulled from
/// an ACR, the health probes, telemetry export, and a Key Vault that can be torn down and re-created.
/// </summary>
public sealed partial class DeploymentTests
{
    /// <summary>The GPU nodes (vCPU, GiB) of the Container Apps GPU profiles, from the workload profile tables.</summary>
    private static readonly Dictionary<string, (double Cpu, double MemoryGi)> GpuNodes = new()
    {
        ["Consumption-GPU-NC8as-T4"] = (8, 56),
        ["Consumption-GPU-NC24-A100"] = (24, 220),
        ["NC24-A100"] = (24, 220),
    };

    private static readonly Lazy<JsonElement> Main = new(() => Compile("infra/bicep/main.bicep"));

    private static JsonElement Apps => Module(Main.Value, "apps");

    [Fact]
    public void Secrets_have_no_defaults_and_a_missing_one_fails_the_deploy_before_it_starts()
    {
        var parameters = Main.Value.GetProperty("parameters");
        var secure = parameters.EnumerateObject().Where(p => p.Value.GetProperty("type").GetString() == "securestring").Select(p => p.Name).ToList();
        Assert.Equal(["apiKey", "dataProtectionSecret", "oidcClientSecret", "postgresPassword", "registryPassword"], secure.Order());
        Assert.All(secure, name => Assert.False(parameters.GetProperty(name).TryGetProperty("defaultValue", out _), $"{name} has a default"));
        Assert.Equal(16, parameters.GetProperty("apiKey").GetProperty("minLength").GetInt32());
        Assert.Equal(16, parameters.GetProperty("postgresPassword").GetProperty("minLength").GetInt32());

        foreach (var environment in new[] { "dev", "prod" })
        {
            var file = $"infra/bicep/main.{environment}.bicepparam";
            var (code, output) = InfraTools.RunWith(DeployEnvironment.Unset, InfraTools.Bicep, "build-params", file, "--stdout");
            Assert.NotEqual(0, code);
            Assert.All(DeployEnvironment.Variables.Keys, variable => Assert.Contains($"\"{variable}\" does not exist", output, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Each_environment_pulls_every_image_from_its_registry_with_a_credential(string environment)
    {
        var values = Parameters(environment);
        var server = values["registryServer"].GetString()!;
        foreach (var image in new[] { "webImage", "workerImage" })
        {
            Assert.StartsWith(server + "/", values[image].GetString(), StringComparison.Ordinal);
        }

        Assert.False(server.EndsWith(".azurecr.io", StringComparison.OrdinalIgnoreCase));
        Assert.False(string.IsNullOrEmpty(values["registryUsername"].GetString()));
        Assert.False(string.IsNullOrEmpty(values["registryPassword"].GetString()));
        Assert.Contains(values["gpuProfileType"].GetString()!, GpuNodes.Keys);
    }

    [Fact]
    public void Registries_sign_in_with_a_key_vault_password_unless_the_registry_is_an_acr_with_acr_pull()
    {
        var registries = Apps.GetProperty("variables").GetProperty("registries").GetRawText();
        Assert.Contains("endsWith(toLower(parameters('registryServer')), '.azurecr.io')", Apps.GetProperty("variables").GetProperty("registryIsAcr").GetString(), StringComparison.Ordinal);
        Assert.Contains("if(variables('registryIsAcr'), createObject('server', parameters('registryServer'), 'identity', parameters('identityId')), createObject('server', parameters('registryServer'), 'username', parameters('registryUsername'), 'passwordSecretRef', 'registry-password'))", registries, StringComparison.Ordinal);
        var secrets = Apps.GetProperty("variables").GetProperty("secrets").GetString()!;
        Assert.Contains("if(variables('registryIsAcr'), createArray(), createArray(createObject('name', 'registry-password', 'keyVaultUrl', parameters('registrySecretUri'), 'identity', parameters('identityId'))))", secrets, StringComparison.Ordinal);
        foreach (var app in ContainerApps())
        {
            Assert.Equal("[variables('registries')]", app.GetProperty("properties").GetProperty("configuration").GetProperty("registries").GetString());
        }

        // An image from another registry, or a missing credential, fails the deployment with the reason.
        var checks = Main.Value.GetProperty("variables").GetProperty("registryProblems").GetString()!;
        Assert.Contains("webImage and workerImage must both come from registryServer", checks, StringComparison.Ordinal);
        Assert.Contains("set registryUsername and registryPassword", checks, StringComparison.Ordinal);
        Assert.Contains("set acrResourceId", checks, StringComparison.Ordinal);
        Assert.Contains("7f951dda-4ed3-4680-a7ca-43fe172d538d", Main.Value.GetRawText(), StringComparison.Ordinal); // AcrPull
    }

    [Fact]
    public void Gpu_worker_requests_fit_their_profile_after_the_platform_reserve()
    {
        var allowed = Apps.GetProperty("parameters").GetProperty("gpuProfileType").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()!).ToList();
        var requests = Apps.GetProperty("variables").GetProperty("gpuWorkerResources");
        Assert.Equal(allowed.Order(), requests.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(allowed.Order(), Main.Value.GetProperty("parameters").GetProperty("gpuProfileType").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()!).Order());
        foreach (var profile in requests.EnumerateObject())
        {
            var node = GpuNodes[profile.Name];
            var cpu = double.Parse(profile.Value.GetProperty("cpu").GetString()!, CultureInfo.InvariantCulture);
            var memory = double.Parse(Gi().Match(profile.Value.GetProperty("memory").GetString()!).Groups[1].Value, CultureInfo.InvariantCulture);

            // At least one vCPU and a tenth of the memory stay with the node for Container Apps' own agents.
            Assert.True(cpu <= node.Cpu - 1, $"{profile.Name}: {cpu} vCPU of a {node.Cpu}-vCPU node");
            Assert.True(memory <= node.MemoryGi * 0.9, $"{profile.Name}: {memory} GiB of a {node.MemoryGi}-GiB node");
        }

        var worker = Container("worker");
        Assert.Equal("[json(variables('gpuWorkerResources')[parameters('gpuProfileType')].cpu)]", worker.GetProperty("resources").GetProperty("cpu").GetString());
        Assert.Equal("[variables('gpuWorkerResources')[parameters('gpuProfileType')].memory]", worker.GetProperty("resources").GetProperty("memory").GetString());
    }

    [Fact]
    public void Web_and_workers_have_startup_liveness_and_readiness_probes_on_the_health_endpoints()
    {
        var probes = Apps.GetProperty("functions")[0].GetProperty("members").GetProperty("probes").GetProperty("output").GetProperty("value");
        var byType = probes.EnumerateArray().ToDictionary(p => p.GetProperty("type").GetString()!, p => p);
        Assert.Equal(["Liveness", "Readiness", "Startup"], byType.Keys.Order());
        Assert.Equal("/health/live", byType["Startup"].GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal("/health/live", byType["Liveness"].GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal("/health/ready", byType["Readiness"].GetProperty("httpGet").GetProperty("path").GetString());
        foreach (var probe in byType.Values)
        {
            Assert.Equal("[parameters('port')]", probe.GetProperty("httpGet").GetProperty("port").GetString());
            Assert.InRange(probe.GetProperty("failureThreshold").GetInt32(), 1, 10);
            Assert.InRange(probe.GetProperty("timeoutSeconds").GetInt32(), 1, 240);
        }

        var variables = Apps.GetProperty("variables");
        Assert.Equal("[__bicep.probes(variables('webPort'))]", Container("web").GetProperty("probes").GetString());
        Assert.Equal("[variables('webPort')]", App("web").GetProperty("properties").GetProperty("configuration").GetProperty("ingress").GetProperty("targetPort").GetString());
        Assert.Equal(8080, variables.GetProperty("webPort").GetInt32());
        Assert.Equal("[__bicep.probes(variables('workerHealthPort'))]", Container("worker").GetProperty("probes").GetString());
        Assert.Contains("createObject('name', 'DigitGan__Health__Port', 'value', string(variables('workerHealthPort')))", Container("worker").GetProperty("env").GetString(), StringComparison.Ordinal);
        Assert.Equal(8081, variables.GetProperty("workerHealthPort").GetInt32());
    }

    [Fact]
    public void Both_apps_export_to_application_insights_and_log_json()
    {
        foreach (var name in new[] { "web", "worker" })
        {
            var env = Container(name).GetProperty("env").GetString()!;
            Assert.Contains("createObject('name', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'value', reference('insights').ConnectionString)", env, StringComparison.Ordinal);
            Assert.Contains("createObject('name', 'DigitGan__Telemetry__ConsoleLogs', 'value', 'Json')", env, StringComparison.Ordinal);
        }

        var insights = Module(Main.Value, "monitoring").GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "Microsoft.Insights/components");
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.GetProperty("properties").GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_vault_can_be_torn_down_and_recreated_and_is_readable_before_the_apps_start()
    {
        var vault = Module(Main.Value, "keyvault").GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults").GetProperty("properties");
        Assert.False(vault.TryGetProperty("enablePurgeProtection", out var purge) && purge.GetBoolean(), "purge protection blocks the vault's name for the whole retention period");
        Assert.Equal(7, vault.GetProperty("softDeleteRetentionInDays").GetInt32());

        // The database (minutes to create) waits for the vault's role assignment; the apps wait for the database.
        var postgres = Deployment(Main.Value, "postgres");
        Assert.Contains(postgres.GetProperty("dependsOn").EnumerateArray(), d => d.GetString()!.Contains("'keyvault'", StringComparison.Ordinal));
        var apps = Deployment(Main.Value, "apps");
        Assert.Contains(apps.GetProperty("dependsOn").EnumerateArray(), d => d.GetString()!.Contains("queue-connection-string", StringComparison.Ordinal));
    }

    private static IEnumerable<JsonElement> ContainerApps() => Resources(Apps).Where(r => r.GetProperty("type").GetString() == "Microsoft.App/containerApps");

    private static JsonElement App(string name) => ContainerApps().Single(a => a.GetProperty("name").GetString() == $"[format('{{0}}-{name}', parameters('prefix'))]");

    private static JsonElement Container(string name) => ContainerApps()
        .SelectMany(a => a.GetProperty("properties").GetProperty("template").GetProperty("containers").EnumerateArray())
        .Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>A template's resources, whether an array (language version 1) or symbolic names (2.0).</summary>
    private static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray() : resources.EnumerateObject().Select(p => p.Value);
    }

    private static JsonElement Deployment(JsonElement template, string name) => Resources(template)
        .Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == name);

    private static JsonElement Module(JsonElement template, string name) => Deployment(template, name).GetProperty("properties").GetProperty("template");

    private static JsonElement Compile(string file)
    {
        var (code, json) = InfraTools.Run(InfraTools.Bicep, "build", file, "--stdout");
        Assert.True(code == 0, json);
        return JsonDocument.Parse(json[..(json.LastIndexOf('}') + 1)]).RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> Parameters(string environment)
    {
        var (code, output) = InfraTools.RunWith(DeployEnvironment.Variables, InfraTools.Bicep, "build-params", $"infra/bicep/main.{environment}.bicepparam", "--stdout");
        Assert.True(code == 0, output);
        using var built = JsonDocument.Parse(output[..(output.LastIndexOf('}') + 1)]);
        using var parameters = JsonDocument.Parse(built.RootElement.GetProperty("parametersJson").GetString()!);
        return parameters.RootElement.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("value").Clone());
    }

    [GeneratedRegex(@"^([0-9.]+)Gi$")]
    private static partial Regex Gi();
}
