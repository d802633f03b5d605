// Log Analytics and a workspace-based Application Insights: the Container Apps environment sends the apps' console
// logs to the workspace; the apps export OpenTelemetry traces, metrics and logs to Application Insights.
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

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

output workspaceName string = workspace.name
output workspaceId string = workspace.id
output insightsName string = insights.name
