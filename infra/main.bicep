// CourseNotification: everything `azd up` creates, keyless (managed identity, no shared keys).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names and tags derive from it.')
param environmentName string

@minLength(1)
@description('Azure region of every regional resource.')
param location string

@description('Object id of the person running azd, given data access to storage for local debugging (optional).')
param principalId string = ''

@description('Name of the training organisation, as learners know it.')
param siteName string

@description('Root URL of the Moodle site.')
param moodleUrl string

@description('IANA time zone of the site (learners without one, Moodle 99).')
param siteTimeZone string = 'Europe/Paris'

@allowed(['fr', 'en'])
@description('Language of learners whose Moodle language has no templates.')
param defaultLanguage string = 'fr'

@secure()
@description('Shared token(s), comma-separated, that plain Moodle push events must carry.')
param moodleWebhookToken string = ''

@secure()
@description('Standard Webhooks secrets (whsec_ + base64), comma-separated, that the Moodle plugin\'s signed batches must match.')
param moodleWebhookSecrets string = ''

@minValue(5)
@maxValue(720)
@description('Minutes a teacher\'s session on one course lasts after their link from Moodle.')
param accessSessionMinutes int = 240

@secure()
@description('Key (?code=) that opens any course\'s pages without a Moodle link: empty, or at least 16 characters.')
param accessAdminKey string = ''

@description('True once App Service sign-in is on for the Function App: a signed-in administrator opens every course\'s pages. Never without sign-in.')
param accessAppServiceSignIn bool = false

@allowed(['Africa', 'Asia Pacific', 'Australia', 'Brazil', 'Canada', 'Europe', 'France', 'Germany', 'India', 'Japan', 'Korea', 'Norway', 'Switzerland', 'UAE', 'UK', 'United States'])
@description('Where Azure Communication Services keeps email data at rest.')
param emailDataLocation string = 'Europe'

@description('Mails per minute the provider accepts: 5 for the Azure-managed domain; 30 or more with a custom domain.')
param emailQuotaPerMinute string = '5'

@description('Mails per hour the provider accepts: 10 for the Azure-managed domain; 100 or more with a custom domain.')
param emailQuotaPerHour string = '10'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'deploymentpackage'
  }
}

module email 'app/email.bicep' = {
  scope: rg
  params: {
    communicationServiceName: '${abbrs.communicationCommunicationServices}${resourceToken}'
    emailServiceName: '${abbrs.communicationEmailServices}${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    communicationServiceName: email.outputs.communicationServiceName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    userPrincipalId: principalId
  }
}

module functionApp 'app/function.bicep' = {
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    appSettings: {
      Platform__SiteName: siteName
      Platform__MoodleUrl: moodleUrl
      Platform__PublicUrl: 'https://${functionAppName}.azurewebsites.net'
      Platform__TimeZone: siteTimeZone
      Platform__DefaultLanguage: defaultLanguage
      Email__Transport: 'Acs'
      Email__Acs__Endpoint: email.outputs.endpoint
      Email__From: 'DoNotReply@${email.outputs.senderDomain}'
      Email__FromName: siteName
      Email__Quota__PerMinute: emailQuotaPerMinute
      Email__Quota__PerHour: emailQuotaPerHour
      Moodle__WebhookToken: moodleWebhookToken
      Moodle__WebhookSecrets: moodleWebhookSecrets
      Access__SessionMinutes: string(accessSessionMinutes)
      Access__AdminKey: accessAdminKey
      Access__AppServiceSignIn: accessAppServiceSignIn ? 'true' : 'false'
    }
  }
  dependsOn: [rbac]
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_ENDPOINT string = functionApp.outputs.url
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output EMAIL_SENDER_DOMAIN string = email.outputs.senderDomain
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
