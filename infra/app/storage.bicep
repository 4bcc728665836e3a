// The app's storage account: tables (state), queues (fan-out), the deployment package container and the
// Functions host's own blobs. Shared keys are off: only Entra identities with data roles get in.
param name string
param location string
param tags object
param deploymentContainerName string

// Keep in step with CourseNotification.Core/Storage/StorageNames.cs (a test compares them).
var tables = ['courses', 'learners', 'snapshots', 'learnercourses', 'ledger', 'coursesettings', 'secrets', 'quota', 'webhooks', 'questionnaires', 'invitations', 'answers', 'queued', 'health']
var queues = ['scan-course', 'notifications', 'scan-course-poison', 'notifications-poison']

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }

  resource blobServices 'blobServices' = {
    name: 'default'
    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
    }
  }

  resource tableServices 'tableServices' = {
    name: 'default'
    resource table 'tables' = [for table in tables: {
      name: table
    }]
  }

  resource queueServices 'queueServices' = {
    name: 'default'
    resource queue 'queues' = [for queue in queues: {
      name: queue
    }]
  }
}

output name string = storage.name
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
