// DigitGan on Azure: artifact storage, the Hangfire PostgreSQL queue, Key Vault, Log Analytics + Application
// Insights and a Container Apps environment with the web app and a GPU worker pool. Deploy into a resource group
// (the deploying identity needs Contributor and Role Based Access Control Administrator there: this template
// creates role assignments):
//   az deployment group create -g RG -f infra/bicep/main.bicep -p infra/bicep/main.dev.bicepparam
targetScope = 'resourceGroup'

@description('Azure region of every resource (the GPU profile must be offered there: README, "Deploy to Azure").')
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

@description('Web app image, e.g. ghcr.io/OWNER/digitgan-web:SHA; it must come from registryServer.')
param webImage string

@description('GPU worker image (TORCH_BACKEND=cuda), e.g. ghcr.io/OWNER/digitgan-worker-cuda:SHA; it must come from registryServer.')
param workerImage string

@description('The registry both images come from: ghcr.io (or another registry with a user and a password/token) or an Azure Container Registry (*.azurecr.io) that the apps\' identity pulls from with AcrPull.')
param registryServer string = 'ghcr.io'

@description('Registry user (for ghcr.io: the GitHub account that owns the token); unused for an Azure Container Registry.')
param registryUsername string = ''

@secure()
@description('Registry password (for ghcr.io: a token with read:packages), kept in Key Vault; pass an empty one for an Azure Container Registry.')
param registryPassword string

@description('Resource id of the Azure Container Registry the images come from (registryServer *.azurecr.io): the apps\' identity gets AcrPull on it. Empty for other registries.')
param acrResourceId string = ''

@description('GPU workers: one training job each.')
@minValue(0)
@maxValue(20)
param workerReplicas int = 1

@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'NC24-A100'
])
@description('GPU workload profile of the workers: serverless T4 or A100, or a dedicated A100 node (capacity request needed).')
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

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
@minLength(16)
@description('API key for the REST API\'s write calls and the Hangfire dashboard (kept in Key Vault). Every web replica uses this one key.')
param apiKey string

@secure()
@minLength(16)
@description('PostgreSQL administrator password (kept in Key Vault).')
param postgresPassword string

@minLength(1)
@description('OpenID Connect issuer the pages sign in with, e.g. https://login.microsoftonline.com/TENANT-ID/v2.0 (README, "Sign-in and roles").')
param oidcAuthority string

@minLength(1)
@description('The client (application) id of the app registered with that provider.')
param oidcClientId string

@secure()
@minLength(1)
@description('The registered app\'s client secret (kept in Key Vault).')
param oidcClientSecret string

@description('The audience bearer tokens for the API must carry (Entra ID: api://CLIENT-ID); empty: the client id.')
param oidcAudience string = ''

@description('The claim holding roles or groups: roles (app roles) or groups.')
param oidcRoleClaim string = 'roles'

@description('The value of that claim that makes a user an operator: an app role value or a group object id.')
param oidcOperatorValue string = 'operator'

@secure()
@minLength(32)
@description('Encrypts the data-protection keys (session cookies, antiforgery) kept in blob storage (kept in Key Vault).')
param dataProtectionSecret string

var prefix = '${namePrefix}-${environmentName}'
var suffix = uniqueString(resourceGroup().id, environmentName)
var blobContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var registryIsAcr = endsWith(toLower(registryServer), '.azurecr.io')
var acrId = registryIsAcr ? acrResourceId : '${resourceGroup().id}/providers/Microsoft.ContainerRegistry/registries/none'

// Deploy-time checks ARM has no statement for: json() of a sentence fails the deployment with that sentence.
var registryProblems = concat(
  startsWith(webImage, '${registryServer}/') && startsWith(workerImage, '${registryServer}/') ? [] : ['webImage and workerImage must both come from registryServer ${registryServer}.'],
  registryIsAcr || (!empty(registryUsername) && !empty(registryPassword)) ? [] : ['${registryServer} is not an Azure Container Registry: set registryUsername and registryPassword (a token that can read the images).'],
  !registryIsAcr || !empty(acrResourceId) ? [] : ['${registryServer} is an Azure Container Registry: set acrResourceId so the apps\' identity gets AcrPull on it.']
)
var registryCheck = empty(registryProblems) ? registryServer : json('Registry settings: ${join(registryProblems, ' ')}')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-apps'
  location: location
  tags: {
    registry: registryCheck
  }
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

module acrPull 'modules/acrpull.bicep' = if (registryIsAcr) {
  name: 'acrpull'
  scope: resourceGroup(split(acrId, '/')[2], split(acrId, '/')[4])
  params: {
    registryName: last(split(acrId, '/'))
    principalId: identity.properties.principalId
    roleId: acrPullRoleId
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
    oidcClientSecret: oidcClientSecret
    dataProtectionSecret: dataProtectionSecret
    storeRegistryPassword: !registryIsAcr
    registryPassword: registryPassword
  }
}

// After the vault's role assignment: creating the server takes minutes, which gives the new assignment time to
// reach Key Vault before the apps first read their secrets.
module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    location: location
    serverName: '${prefix}-pg-${suffix}'
    administratorPassword: postgresPassword
    skuName: postgresSku
    skuTier: postgresTier
  }
  dependsOn: [
    vault
  ]
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: take('${namePrefix}-${environmentName}-${suffix}', 24)
}

resource queueSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'queue-connection-string'
  properties: {
    value: 'Host=${postgres.outputs.host};Database=${postgres.outputs.databaseName};Username=${postgres.outputs.administratorLogin};Password=${postgresPassword};SSL Mode=Require'
  }
  dependsOn: [
    vault
  ]
}

module apps 'modules/apps.bicep' = {
  name: 'apps'
  params: {
    location: location
    prefix: prefix
    workspaceName: monitoring.outputs.workspaceName
    insightsName: monitoring.outputs.insightsName
    identityId: identity.id
    identityClientId: identity.properties.clientId
    webImage: webImage
    workerImage: workerImage
    registryServer: registryServer
    registryUsername: registryUsername
    registrySecretUri: vault.outputs.registrySecretUri
    blobEndpoint: storage.outputs.blobEndpoint
    containerName: storage.outputs.containerName
    apiKeySecretUri: vault.outputs.apiKeySecretUri
    queueSecretUri: queueSecret.properties.secretUri
    oidc: {
      authority: oidcAuthority
      clientId: oidcClientId
      audience: empty(oidcAudience) ? oidcClientId : oidcAudience
      roleClaim: oidcRoleClaim
      operatorValue: oidcOperatorValue
    }
    oidcSecretUri: vault.outputs.oidcClientSecretUri
    dataProtectionSecretUri: vault.outputs.dataProtectionSecretUri
    workerReplicas: workerReplicas
    gpuProfileType: gpuProfileType
  }
  dependsOn: [
    blobContributor
    acrPull
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

@description('The Application Insights resource the apps export traces, metrics and logs to.')
output insights string = monitoring.outputs.insightsName
