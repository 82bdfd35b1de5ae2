#!/bin/sh
# Push one metric to a Pacer key result, e.g. from cron:
#   */30 * * * *  PACER_TOKEN=pacer_... /opt/scripts/push_metric.sh adoption 45
# Create a write token once with: pacer token create --user you@example.com --scope write
set -eu
PACER_URL="${PACER_URL:-http://127.0.0.1:8000}"
KR_REF="$1"     # the key result's ref, e.g. adoption
VALUE="$2"      # the new value, e.g. 45

curl --fail-with-body --silent --show-error \
  -X POST "$PACER_URL/api/v1/key-results/$KR_REF/checkins" \
  -H "Authorization: Bearer $PACER_TOKEN" \
  -H "Content-Type: application/json" \
  -d "{\"value\": $VALUE, \"note\": \"pushed by cron\"}"
echo
