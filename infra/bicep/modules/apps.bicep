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

@description('Log Analytics workspace name (the environment\'s logs).')
param workspaceName string

@description('Resource id of the user-assigned identity both apps run as.')
param identityId string

@description('Client id of that identity (DefaultAzureCredential picks it through AZURE_CLIENT_ID).')
param identityClientId string

@description('Web app image, e.g. ghcr.io/OWNER/digitgan-web:SHA.')
param webImage string

@description('GPU worker image (built with TORCH_BACKEND=cuda), e.g. ghcr.io/OWNER/digitgan-worker-cuda:SHA.')
param workerImage string

@description('Registry server of private images (an ACR the identity may pull from); empty for public images.')
param registryServer string = ''

@description('Blob endpoint of the artifact store, https://ACCOUNT.blob.core.windows.net/.')
param blobEndpoint string

@description('The artifact container.')
param containerName string

@description('Key Vault secret URI of the API key.')
param apiKeySecretUri string

@description('Key Vault secret URI of the Hangfire PostgreSQL connection string.')
param queueSecretUri string

@description('Workers: one training job each.')
@minValue(0)
@maxValue(20)
param workerReplicas int = 1

@description('GPU workload profile type: Consumption-GPU-NC8as-T4 (serverless T4), Consumption-GPU-NC24-A100, or a dedicated NC24-A100.')
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('vCPUs of one worker (must fit the GPU profile: 8 for NC8as-T4, 24 for NC24-A100).')
param workerCpu int = 8

@description('Memory of one worker (56Gi for NC8as-T4, 220Gi for NC24-A100).')
param workerMemory string = '56Gi'

@description('Web app replicas at most (Blazor Server circuits stay on one replica through sticky sessions).')
@minValue(1)
@maxValue(10)
param webMaxReplicas int = 2

var gpuIsDedicated = !startsWith(gpuProfileType, 'Consumption')
var registries = empty(registryServer) ? [] : [
  {
    server: registryServer
    identity: identityId
  }
]
var secrets = [
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
]
var sharedEnv = [
  { name: 'DigitGan__Storage__Kind', value: 'Blob' }
  { name: 'DigitGan__Storage__AccountUrl', value: blobEndpoint }
  { name: 'DigitGan__Storage__Container', value: containerName }
  { name: 'DigitGan__Queue__Kind', value: 'PostgreSql' }
  { name: 'DigitGan__Queue__ConnectionString', secretRef: 'queue-connection-string' }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
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
        targetPort: 8080
        transport: 'auto'
        allowInsecure: false
        stickySessions: {
          affinity: 'sticky'
        }
      }
      secrets: secrets
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
          ])
          probes: [
            {
              type: 'Readiness'
              httpGet: {
                path: '/api/runs?pageSize=1'
                port: 8080
              }
              periodSeconds: 10
            }
          ]
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
            cpu: json(string(workerCpu))
            memory: workerMemory
          }
          env: sharedEnv
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
