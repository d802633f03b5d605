// AcrPull for the apps' identity on the Azure Container Registry the images come from (in its own resource group).
@description('Name of the Azure Container Registry.')
param registryName string

@description('Principal (object) id of the apps\' managed identity.')
param principalId string

@description('Role definition id of AcrPull.')
param roleId string

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, principalId, roleId)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}
