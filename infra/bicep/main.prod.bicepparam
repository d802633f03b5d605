// prod: a dedicated pool of A100 workers and a general-purpose database. Secrets come from the deploy workflow.
using 'main.bicep'

param environmentName = 'prod'
param webImage = readEnvironmentVariable('DIGITGAN_WEB_IMAGE', 'ghcr.io/digitgan/digitgan-web:latest')
param workerImage = readEnvironmentVariable('DIGITGAN_WORKER_IMAGE', 'ghcr.io/digitgan/digitgan-worker-cuda:latest')
param workerReplicas = 3
param gpuProfileType = 'NC24-A100'
param workerCpu = 24
param workerMemory = '220Gi'
param postgresSku = 'Standard_D2ds_v5'
param postgresTier = 'GeneralPurpose'
param apiKey = readEnvironmentVariable('DIGITGAN_API_KEY', '')
param postgresPassword = readEnvironmentVariable('DIGITGAN_POSTGRES_PASSWORD', '')
