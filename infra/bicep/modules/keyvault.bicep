// Key Vault for the API key, the database password and the registry password (the queue connection string is
// added by main.bicep once the database exists); the apps read them through their managed identity (Key Vault
// Secrets User), never from plain settings.
//
// Purge protection is off and deleted vaults are kept the minimum 7 days: the vault holds only what every deploy
// writes again, so a torn-down environment loses nothing, and `az keyvault purge` frees the name for a re-created
// one at once (with purge protection on, the name would stay blocked for the whole retention period).
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
@description('The client secret of the app registered with the OpenID Connect provider.')
param oidcClientSecret string

@secure()
@description('The secret the data-protection keys in blob storage are encrypted under.')
param dataProtectionSecret string

@description('Whether the image registry signs in with a password (not with the identity, as an ACR does).')
param storeRegistryPassword bool

@secure()
@description('Password (token) of the image registry; unused when storeRegistryPassword is false.')
param registryPassword string

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
    softDeleteRetentionInDays: 7
  }
}

resource oidcClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'oidc-client-secret'
  properties: {
    value: oidcClientSecret
  }
}

resource dataProtectionSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'data-protection-secret'
  properties: {
    value: dataProtectionSecret
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

resource registryPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeRegistryPassword) {
  parent: vault
  name: 'registry-password'
  properties: {
    value: registryPassword
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
output vaultUri string = vault.properties.vaultUri
output apiKeySecretUri string = apiKeySecret.properties.secretUri
output oidcClientSecretUri string = oidcClientSecretValue.properties.secretUri
output dataProtectionSecretUri string = dataProtectionSecretValue.properties.secretUri
output registrySecretUri string = storeRegistryPassword ? registryPasswordSecret!.properties.secretUri : ''
output secretsUserAssignmentId string = secretsUser.id
