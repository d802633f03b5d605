// Log Analytics: the Container Apps environment sends the web app's and the workers' logs here.
@description('Azure region.')
param location string

@description('Name prefix of the resources.')
param prefix string

@description('Days to keep logs.')
@minValue(30)
param retentionDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays
  }
}

output workspaceName string = workspace.name
output workspaceId string = workspace.id
