// dev: one serverless T4 worker, the smallest database. Secrets come from the command line or the deploy workflow.
using 'main.bicep'

param environmentName = 'dev'
param webImage = readEnvironmentVariable('DIGITGAN_WEB_IMAGE', 'ghcr.io/digitgan/digitgan-web:latest')
param workerImage = readEnvironmentVariable('DIGITGAN_WORKER_IMAGE', 'ghcr.io/digitgan/digitgan-worker-cuda:latest')
param workerReplicas = 1
param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param workerCpu = 8
param workerMemory = '56Gi'
param postgresSku = 'Standard_B1ms'
param postgresTier = 'Burstable'
param apiKey = readEnvironmentVariable('DIGITGAN_API_KEY', '')
param postgresPassword = readEnvironmentVariable('DIGITGAN_POSTGRES_PASSWORD', '')
