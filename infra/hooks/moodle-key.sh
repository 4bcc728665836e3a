#!/bin/sh
# azd postdeploy hook: gives Moodle its own function key, named "moodle", on the two routes Moodle calls
# (POST /api/moodle/events: function PostMoodleEvents; PUT /api/snapshots: PutSnapshots) and on nothing
# else. The host key ("default" under App keys) would also open the learners' export and erasure, the CSV
# import, the test sends and the administrators' pages. A function's own keys only exist once the code is
# deployed, so Bicep cannot create them at provision time: this runs after each deploy, and creates the key
# only when it is missing (an existing key, the one Moodle holds, is kept). Needs the Azure CLI, signed in
# (az login) to the same subscription; without it, it prints the commands to run (README, Connect Moodle).
set -u
app="${AZURE_FUNCTION_APP_NAME:-}"
group="${AZURE_RESOURCE_GROUP:-}"
manual() {
  echo "Moodle's key was not created: $1. Create it once with:"
  echo "  az functionapp function keys set -g <resource group> -n <function app> --function-name PostMoodleEvents --key-name moodle"
  echo "  az functionapp function keys set -g <resource group> -n <function app> --function-name PutSnapshots --key-name moodle --key-value <the value printed by the first command>"
  exit 0
}
[ -n "$app" ] && [ -n "$group" ] || manual "AZURE_FUNCTION_APP_NAME or AZURE_RESOURCE_GROUP is not set (run azd provision first)"
command -v az >/dev/null 2>&1 || manual "the Azure CLI (az) is not installed"
az account show >/dev/null 2>&1 || manual "the Azure CLI is not signed in (az login)"

key=$(az functionapp function keys list -g "$group" -n "$app" --function-name PostMoodleEvents --query moodle -o tsv 2>/dev/null)
if [ -z "$key" ]; then
  key=$(az functionapp function keys set -g "$group" -n "$app" --function-name PostMoodleEvents --key-name moodle --query value -o tsv) \
    || manual "the key could not be set on PostMoodleEvents"
  echo "Created the function key 'moodle' on PostMoodleEvents."
fi
current=$(az functionapp function keys list -g "$group" -n "$app" --function-name PutSnapshots --query moodle -o tsv 2>/dev/null)
if [ "$current" != "$key" ]; then
  az functionapp function keys set -g "$group" -n "$app" --function-name PutSnapshots --key-name moodle --key-value "$key" >/dev/null \
    || manual "the key could not be set on PutSnapshots"
  echo "Set the same key 'moodle' on PutSnapshots."
fi
echo "Moodle's key (give Moodle this one, never the host key): az functionapp function keys list -g $group -n $app --function-name PostMoodleEvents --query moodle -o tsv"
