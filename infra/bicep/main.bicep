// DigitGan on Azure: artifact storage, the Hangfire PostgreSQL queue, Key Vault, Log Analytics and a Container Apps
// environment with the web app and a GPU worker pool. Deploy into a resource group:
//   az deployment group create -g RG -f infra/bicep/main.bicep -p infra/bicep/main.dev.bicepparam \
//     -p apiKey=... postgresPassword=... webImage=... workerImage=...
targetScope = 'resourceGroup'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@allowed([
  'dev'
  'prod'
])
@description('Environment name, part of every resource name.')
param environmentName string

@description('Short name prefix (letters and digits).')
@maxLength(10)
param namePrefix string = 'digitgan'

@description('Web app image.')
param webImage string

@description('GPU worker image (TORCH_BACKEND=cuda).')
param workerImage string

@description('Registry of private images (an Azure Container Registry the apps\' identity can pull from); empty for public images.')
param registryServer string = ''

@description('GPU workers: one training job each.')
@minValue(0)
@maxValue(20)
param workerReplicas int = 1

@description('GPU workload profile type of the workers.')
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('vCPUs of one worker.')
param workerCpu int = 8

@description('Memory of one worker.')
param workerMemory string = '56Gi'

@description('PostgreSQL compute SKU.')
param postgresSku string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
@description('PostgreSQL compute tier.')
param postgresTier string = 'Burstable'

@secure()
@description('API key for the REST API\'s write calls and the Hangfire dashboard (kept in Key Vault).')
param apiKey string

@secure()
@description('PostgreSQL administrator password (kept in Key Vault).')
param postgresPassword string

var prefix = '${namePrefix}-${environmentName}'
var suffix = uniqueString(resourceGroup().id, environmentName)
var blobContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-apps'
  location: location
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    prefix: prefix
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    accountName: take('${namePrefix}${environmentName}${suffix}', 24)
  }
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: take('${namePrefix}${environmentName}${suffix}', 24)
}

// The apps read and write blobs with their identity: no account keys anywhere.
resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storageAccount
  name: guid(storageAccount.id, identity.id, blobContributorRoleId)
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobContributorRoleId)
  }
  dependsOn: [
    storage
  ]
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    location: location
    serverName: '${prefix}-pg-${suffix}'
    administratorPassword: postgresPassword
    skuName: postgresSku
    skuTier: postgresTier
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    vaultName: take('${namePrefix}-${environmentName}-${suffix}', 24)
    readerPrincipalId: identity.properties.principalId
    apiKey: apiKey
    postgresPassword: postgresPassword
    queueConnectionString: 'Host=${postgres.outputs.host};Database=${postgres.outputs.databaseName};Username=${postgres.outputs.administratorLogin};Password=${postgresPassword};SSL Mode=Require'
  }
}

module apps 'modules/apps.bicep' = {
  name: 'apps'
  params: {
    location: location
    prefix: prefix
    workspaceName: monitoring.outputs.workspaceName
    identityId: identity.id
    identityClientId: identity.properties.clientId
    webImage: webImage
    workerImage: workerImage
    registryServer: registryServer
    blobEndpoint: storage.outputs.blobEndpoint
    containerName: storage.outputs.containerName
    apiKeySecretUri: vault.outputs.apiKeySecretUri
    queueSecretUri: vault.outputs.queueSecretUri
    workerReplicas: workerReplicas
    gpuProfileType: gpuProfileType
    workerCpu: workerCpu
    workerMemory: workerMemory
  }
  dependsOn: [
    blobContributor
  ]
}

@description('The web app: runs list, run pages, compare, REST API (/api/runs) and its reference (/api/reference).')
output webUrl string = apps.outputs.webUrl

@description('The storage account holding the artifacts.')
output storageAccount string = storage.outputs.accountName

@description('The blob container of datasets/ and runs/.')
output container string = storage.outputs.containerName

@description('The Key Vault with the API key.')
output keyVault string = vault.outputs.vaultName
