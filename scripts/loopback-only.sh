#!/usr/bin/env bash
# Runs a command in a new network namespace that has only loopback (up): whatever addresses it makes up
# (a fuzzer setting upstream URLs, proxies or webhooks), nothing can leave the machine. Needs root
# (or CAP_SYS_ADMIN). Usage: scripts/loopback-only.sh COMMAND [ARGUMENT...]
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 COMMAND [ARGUMENT...]" >&2; exit 64; }
exec unshare --net -- sh -c 'ip link set lo up && exec "$@"' loopback-only "$@"
