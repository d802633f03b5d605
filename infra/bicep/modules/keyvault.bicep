// Key Vault for the API key and the database password (and the queue connection string built from it); the apps
// read them through their managed identity (Key Vault Secrets User), never from plain settings.
@description('Azure region.')
param location string

@description('Key Vault name: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param vaultName string

@description('Principal (object) id of the apps\' managed identity.')
param readerPrincipalId string

@secure()
@description('The key write calls of the REST API need in X-Api-Key.')
param apiKey string

@secure()
@description('Password of the PostgreSQL administrator.')
param postgresPassword string

@secure()
@description('The Hangfire PostgreSQL connection string (with the password).')
param queueConnectionString string

var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
    enablePurgeProtection: true
  }
}

resource apiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'api-key'
  properties: {
    value: apiKey
  }
}

resource postgresPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-password'
  properties: {
    value: postgresPassword
  }
}

resource queueSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'queue-connection-string'
  properties: {
    value: queueConnectionString
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, readerPrincipalId, secretsUserRoleId)
  properties: {
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

output vaultName string = vault.name
output apiKeySecretUri string = apiKeySecret.properties.secretUri
output queueSecretUri string = queueSecret.properties.secretUri
