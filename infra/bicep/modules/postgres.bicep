// Azure Database for PostgreSQL Flexible Server: the Hangfire queue of the distributed setup (runs themselves live
// in blob storage, so a small burstable server is enough).
@description('Azure region.')
param location string

@description('Server name, globally unique.')
param serverName string

@description('Administrator login.')
param administratorLogin string = 'digitgan'

@secure()
@description('Administrator password.')
param administratorPassword string

@description('Compute SKU, e.g. Standard_B1ms (dev) or Standard_D2ds_v5 (prod).')
param skuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
@description('Compute tier of the SKU.')
param skuTier string = 'Burstable'

@description('Storage in GiB.')
param storageSizeGB int = 32

@description('Database Hangfire uses.')
param databaseName string = 'hangfire'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: serverName
  location: location
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '16'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    storage: {
      storageSizeGB: storageSizeGB
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// 0.0.0.0 - 0.0.0.0 is Azure's rule for "services inside Azure" (the Container Apps); nothing else reaches it.
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAzureServices'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
output administratorLogin string = administratorLogin
