#!/usr/bin/env bash
# seed.sh URL ADMIN_TOKEN PACKAGES: what the fuzzer needs to find, so list and detail answers are checked
# with real data: groups with a policy and a canary, two enrolled agents (one reporting, one with a log
# bundle), remote batches, users, tokens, five signed packages, an approval and an export.
set -euo pipefail
url=$1 admin=$2 packages=$3
# Every seeding call must succeed (-f): a run on missing data would pass while testing little.
call() { local who=$1; shift; curl -fsS -o /dev/null -H "Authorization: Bearer $who" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import json, sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
call "$admin" -d '{"name":"g1"}' "$url/api/v1/groups"
call "$admin" -d '{"name":"canary"}' "$url/api/v1/groups"
call "$admin" -d '{"model":"Model-X","os":"debian:12"}' "$url/api/v1/repository/platforms"
token=$(curl -fsS -H "Authorization: Bearer $admin" -d '{"group":"g1","uses":5}' "$url/api/v1/agents/tokens" | field token)
enrol() { curl -fsS -d "{\"token\":\"$token\",\"name\":\"$1\",\"hostname\":\"$1.example\"}" "$url/api/v1/enrol" | field credential; }
first=$(enrol srv1) second=$(enrol srv2)
echo "$first" > "$packages/agent.credential"
call "$first" -d '{"schema":1,"sequence":1,"identity":{"model":"Model-X","os":{"id":"debian","versionID":"12"},"hostname":"srv1","bootID":"b1","agentVersion":"1.0.0"},
 "modules":[{"id":"system-bios","name":"System BIOS","version":"1.0","source":"smbios:bios_version"},{"id":"sdr","name":"SDR","version":"1.0","source":"ipmi:sdr-oem-record"},{"id":"bmc-firmware","name":"BMC firmware","version":"3.0","source":"ipmi:get-device-id","detail":"aux 00"},{"id":"package:openssl","name":"openssl","source":"dpkg","error":"unavailable: not installed"}],
 "sensors":[{"name":"CPU Temp","type":"Temperature","reading":45,"unit":"C","state":"nominal"}],
 "activities":{"system-bios":"idle"},"previousVersions":{"system-bios":"0.9"},"items":[],"refusals":[],"pollIntervalSeconds":60}' "$url/api/v1/agent/report"
call "$first" "$url/api/v1/agent/directives"
call "$admin" -X POST "$url/api/v1/servers/srv1/logs/request"
echo hello | gzip > "$packages/bundle.tar.gz"
curl -fsS -o /dev/null -H "Authorization: Bearer $first" -H 'Content-Type: application/gzip' --data-binary "@$packages/bundle.tar.gz" "$url/api/v1/agent/logs"
call "$admin" -X POST "$url/api/v1/servers/srv2/logs/request"
call "$admin" -d '{"group":"g1","startAt":"2031-01-01T00:00:00Z","allowReboot":true}' "$url/api/v1/schedules"
call "$admin" -d '{"server":"srv1","startAt":"2032-06-01T02:00:00Z"}' "$url/api/v1/schedules"
call "$admin" -d '{"autoApprove":true,"delayDays":3,"canaryGroup":"canary","maxCanaryFailurePercent":10,"canaryWindowDays":14,"allowReboot":false}' "$url/api/v1/groups/g1/policy"
call "$admin" -d '{"add":["srv2"]}' "$url/api/v1/groups/canary/members"
call "$admin" -d '{"name":"op1","role":"operator","password":"operator-pass-1"}' "$url/api/v1/users"
call "$admin" -d '{"expiresInSeconds":3600}' "$url/api/v1/agents/tokens"
for upload in bios-1.0:all bios-2.0:all bios-1.5:needed sdr-3.0:all bmc-4.0:needed; do
  id=${upload%%:*} mode=${upload##*:}
  curl -fsS -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/zip' --data-binary "@$packages/$id.zip" "$url/api/v1/repository/packages?mode=$mode&name=$id.zip"
done
call "$admin" -d '{"modules":[{"id":"bmc-firmware"}],"notBefore":1900000000}' "$url/api/v1/servers/srv1/approve"
call "$admin" -d '{"ids":["bios-2.0"]}' "$url/api/v1/repository/exports"
