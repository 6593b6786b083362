"""The container's HEALTHCHECK: exit 0 when the bot's /livez answers 200 on $PORT, else 1."""

import os
import sys
import urllib.request

url = f"http://127.0.0.1:{os.environ.get('PORT', '3000')}/livez"
try:
    with urllib.request.urlopen(url, timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(f"healthcheck: {url}: {exc}", file=sys.stderr)
    sys.exit(1)
