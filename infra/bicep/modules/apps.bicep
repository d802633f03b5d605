// The Container Apps environment with two apps: the web app (Blazor Server + REST API, no in-process worker) and
// the GPU worker pool (`DigitGan.Jobs worker`, N replicas, one training job each).
//
// Why Container Apps with a GPU workload profile rather than a VM scale set of NC machines: the workers run the
// same kind of container as the web app, in the same environment, with the same managed identity, Key Vault
// references and Log Analytics; the pool size is one number (min = max replicas); there are no VM images, drivers
// or agents to patch (the platform provides the NVIDIA driver, the image brings CUDA). A scale set only wins when
// a run needs more than one GPU per worker, which the DCGAN does not.
@description('Azure region.')
param location string

@description('Name prefix of the resources.')
param prefix string

@description('Log Analytics workspace name (the environment\'s console logs).')
param workspaceName string

@description('Application Insights name (the apps\' OpenTelemetry export).')
param insightsName string

@description('Resource id of the user-assigned identity both apps run as.')
param identityId string

@description('Client id of that identity (DefaultAzureCredential picks it through AZURE_CLIENT_ID).')
param identityClientId string

@description('Web app image, e.g. ghcr.io/OWNER/digitgan-web:SHA.')
param webImage string

@description('GPU worker image (built with TORCH_BACKEND=cuda), e.g. ghcr.io/OWNER/digitgan-worker-cuda:SHA.')
param workerImage string

@description('The registry both images come from: an Azure Container Registry (*.azurecr.io, pulled with the identity) or another one (pulled with registryUsername and the registry-password secret).')
param registryServer string

@description('Registry user; unused for an Azure Container Registry.')
param registryUsername string

@description('Key Vault secret URI of the registry password; empty for an Azure Container Registry.')
param registrySecretUri string

@description('Blob endpoint of the artifact store, https://ACCOUNT.blob.core.windows.net/.')
param blobEndpoint string

@description('The artifact container.')
param containerName string

@description('Key Vault secret URI of the API key.')
param apiKeySecretUri string

@description('Key Vault secret URI of the Hangfire PostgreSQL connection string.')
param queueSecretUri string

@description('OpenID Connect sign-in of the web app: authority, clientId, audience, roleClaim, operatorValue.')
param oidc object

@description('Key Vault URI of the OpenID Connect client secret.')
param oidcSecretUri string

@description('Key Vault URI of the secret that encrypts the data-protection keys.')
param dataProtectionSecretUri string

@description('Workers: one training job each.')
@minValue(0)
@maxValue(20)
param workerReplicas int = 1

@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'NC24-A100'
])
@description('GPU workload profile: serverless T4 or A100, or a dedicated A100 node.')
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Web app replicas at most (Blazor Server circuits stay on one replica through sticky sessions).')
@minValue(1)
@maxValue(10)
param webMaxReplicas int = 2

// What one worker asks for on each GPU profile: less than the node (T4: 8 vCPU, 56 GiB; A100: 24 vCPU, 220 GiB),
// because Container Apps keeps part of every node for its own agents. A training run needs far less than this.
var gpuWorkerResources = {
  'Consumption-GPU-NC8as-T4': {
    cpu: '6.0'
    memory: '44Gi'
  }
  'Consumption-GPU-NC24-A100': {
    cpu: '20.0'
    memory: '180Gi'
  }
  'NC24-A100': {
    cpu: '20.0'
    memory: '180Gi'
  }
}
var gpuIsDedicated = !startsWith(gpuProfileType, 'Consumption')
var webPort = 8080
var workerHealthPort = 8081
var registryIsAcr = endsWith(toLower(registryServer), '.azurecr.io')
var registries = [
  registryIsAcr ? {
    server: registryServer
    identity: identityId
  } : {
    server: registryServer
    username: registryUsername
    passwordSecretRef: 'registry-password'
  }
]
var secrets = concat([
  {
    name: 'api-key'
    keyVaultUrl: apiKeySecretUri
    identity: identityId
  }
  {
    name: 'queue-connection-string'
    keyVaultUrl: queueSecretUri
    identity: identityId
  }
], registryIsAcr ? [] : [
  {
    name: 'registry-password'
    keyVaultUrl: registrySecretUri
    identity: identityId
  }
])

// Only the web app signs users in, so only it reads these two.
var webSecrets = concat(secrets, [
  {
    name: 'oidc-client-secret'
    keyVaultUrl: oidcSecretUri
    identity: identityId
  }
  {
    name: 'data-protection-secret'
    keyVaultUrl: dataProtectionSecretUri
    identity: identityId
  }
])
var sharedEnv = [
  { name: 'DigitGan__Storage__Kind', value: 'Blob' }
  { name: 'DigitGan__Storage__AccountUrl', value: blobEndpoint }
  { name: 'DigitGan__Storage__Container', value: containerName }
  { name: 'DigitGan__Queue__Kind', value: 'PostgreSql' }
  { name: 'DigitGan__Queue__ConnectionString', secretRef: 'queue-connection-string' }
  { name: 'DigitGan__Telemetry__ConsoleLogs', value: 'Json' }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
]

// Startup allows about two minutes to start; then liveness restarts a replica that stops answering, and readiness
// (store, queue, MNIST and the classifier verified) keeps traffic from a replica that cannot serve.
func probes(port int) array => [
  {
    type: 'Startup'
    httpGet: {
      path: '/health/live'
      port: port
    }
    initialDelaySeconds: 5
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 10
  }
  {
    type: 'Liveness'
    httpGet: {
      path: '/health/live'
      port: port
    }
    periodSeconds: 15
    timeoutSeconds: 5
    failureThreshold: 3
  }
  {
    type: 'Readiness'
    httpGet: {
      path: '/health/ready'
      port: port
    }
    periodSeconds: 15
    timeoutSeconds: 25
    failureThreshold: 3
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: insightsName
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${prefix}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      gpuIsDedicated ? {
        name: 'gpu'
        workloadProfileType: gpuProfileType
        minimumCount: workerReplicas
        maximumCount: max(workerReplicas, 1)
      } : {
        name: 'gpu'
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

resource web 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${prefix}-web'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      ingress: {
        external: true
        targetPort: webPort
        transport: 'auto'
        allowInsecure: false
        stickySessions: {
          affinity: 'sticky'
        }
      }
      secrets: webSecrets
      registries: registries
    }
    template: {
      containers: [
        {
          name: 'web'
          image: webImage
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          env: concat(sharedEnv, [
            { name: 'DigitGan__LocalWorker__Enabled', value: 'false' }
            { name: 'DigitGan__ApiKey', secretRef: 'api-key' }
            // Nobody who merely finds the URL sees runs: everyone signs in (Entra ID, or the key for scripts).
            { name: 'DigitGan__Auth__AnonymousRead', value: 'false' }
            { name: 'DigitGan__Auth__Oidc__Authority', value: oidc.authority }
            { name: 'DigitGan__Auth__Oidc__ClientId', value: oidc.clientId }
            { name: 'DigitGan__Auth__Oidc__ClientSecret', secretRef: 'oidc-client-secret' }
            { name: 'DigitGan__Auth__Oidc__Audience', value: oidc.audience }
            { name: 'DigitGan__Auth__Oidc__RoleClaim', value: oidc.roleClaim }
            { name: 'DigitGan__Auth__Oidc__OperatorValue', value: oidc.operatorValue }
            { name: 'DigitGan__Auth__DataProtectionSecret', secretRef: 'data-protection-secret' }
          ])
          probes: probes(webPort)
        }
      ]
      scale: {
        minReplicas: 1
        maxReplicas: webMaxReplicas
      }
    }
  }
}

resource workers 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${prefix}-worker'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'gpu'
    configuration: {
      secrets: secrets
      registries: registries
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: workerImage
          args: [
            'worker'
          ]
          resources: {
            cpu: json(gpuWorkerResources[gpuProfileType].cpu)
            memory: gpuWorkerResources[gpuProfileType].memory
          }
          env: concat(sharedEnv, [
            { name: 'DigitGan__Health__Port', value: string(workerHealthPort) }
          ])
          probes: probes(workerHealthPort)
        }
      ]
      // A fixed pool: every replica polls the queue and trains one run at a time.
      scale: {
        minReplicas: workerReplicas
        maxReplicas: max(workerReplicas, 1)
      }
    }
  }
}

output webUrl string = 'https://${web.properties.configuration.ingress.fqdn}'
output environmentName string = environment.name
