#!/usr/bin/env python3
"""Push one metric to a Pacer key result (Python standard library only), e.g. from cron:

    */30 * * * *  PACER_TOKEN=pacer_... /opt/scripts/push_metric.py adoption 45

Create a write token once with: pacer token create --user you@example.com --scope write
"""

import json
import os
import sys
import urllib.error
import urllib.request

url = os.environ.get("PACER_URL", "http://127.0.0.1:8000")
kr_ref, value = sys.argv[1], sys.argv[2]

request = urllib.request.Request(
    f"{url}/api/v1/key-results/{kr_ref}/checkins",
    data=json.dumps({"value": value, "note": "pushed by cron"}).encode(),
    headers={
        "Authorization": f"Bearer {os.environ['PACER_TOKEN']}",
        "Content-Type": "application/json",
    },
    method="POST",
)
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        print(json.load(response))
except urllib.error.HTTPError as error:  # a problem+json body says what was wrong
    sys.exit(f"Pacer refused the check-in ({error.code}): {error.read().decode()}")
