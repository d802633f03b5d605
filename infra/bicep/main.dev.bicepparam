// dev: one serverless T4 worker, the smallest database. Images, registry credentials and secrets come from the
// environment (the deploy workflow sets them from its secrets); a missing one fails the deploy before it starts.
using 'main.bicep'

param environmentName = 'dev'
param webImage = readEnvironmentVariable('DIGITGAN_WEB_IMAGE')
param workerImage = readEnvironmentVariable('DIGITGAN_WORKER_IMAGE')
param registryServer = 'ghcr.io'
param registryUsername = readEnvironmentVariable('DIGITGAN_REGISTRY_USERNAME')
param registryPassword = readEnvironmentVariable('DIGITGAN_REGISTRY_PASSWORD')
param workerReplicas = 1
param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param postgresSku = 'Standard_B1ms'
param postgresTier = 'Burstable'
param apiKey = readEnvironmentVariable('DIGITGAN_API_KEY')
param postgresPassword = readEnvironmentVariable('DIGITGAN_POSTGRES_PASSWORD')
param oidcAuthority = readEnvironmentVariable('DIGITGAN_OIDC_AUTHORITY')
param oidcClientId = readEnvironmentVariable('DIGITGAN_OIDC_CLIENT_ID')
param oidcClientSecret = readEnvironmentVariable('DIGITGAN_OIDC_CLIENT_SECRET')
param oidcAudience = readEnvironmentVariable('DIGITGAN_OIDC_AUDIENCE', '')
param dataProtectionSecret = readEnvironmentVariable('DIGITGAN_DATA_PROTECTION_SECRET')
