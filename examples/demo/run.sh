#!/usr/bin/env bash
# The offline end-to-end demo: plan, deploy, status, connect and destroy a development
# environment on the local Docker engine. Nothing is pulled: sindri builds ./Dockerfile, a
# static busybox FROM scratch, because sindri.yaml configures no image (chain level 5).
#
# Needs: `sindri` on PATH (or SINDRI=/path/to/sindri), a running Docker engine, Compose v2
# (the docker plugin, or a standalone docker-compose v2 on PATH: scripts/demo puts the venv's
# first), and a static busybox (Debian: busybox-static). Exits non-zero at the
# first failing step; whatever the demo created is removed on exit, however it ends.
set -euo pipefail
cd "$(dirname "$0")"

SINDRI=${SINDRI:-sindri}
BUSYBOX=${BUSYBOX:-/bin/busybox}
step=setup

cleanup() {
  local status=$?
  trap - EXIT
  # Remove the container, its home volume and generated files, and the demo image, so a
  # failed or interrupted run leaves nothing behind either.
  "$SINDRI" -q destroy --yes --volumes >/dev/null 2>&1 || true
  docker images --quiet --filter label=dev.sindri.example=demo | sort -u |
    xargs -r docker rmi --force >/dev/null 2>&1 || true
  rm -f busybox
  if [ "$status" -ne 0 ]; then
    echo >&2
    echo "demo FAILED at step: $step (exit status $status)" >&2
  fi
  exit "$status"
}
trap cleanup EXIT

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi

run() {
  step="sindri $*"
  printf '\n%s==> %s%s\n' "$bold" "$step" "$plain"
  "$SINDRI" "$@"
}

if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "demo: $BUSYBOX must be a static busybox (Debian/Ubuntu: apt-get install busybox-static)" >&2
  exit 1
fi
# The build context gets its own copy; the binary is never committed (.gitignore).
cp "$BUSYBOX" busybox

# In case an earlier run was killed before it could clean up.
"$SINDRI" -q destroy --yes --volumes >/dev/null 2>&1 || true

run plan
run deploy
run status
run connect sh -c 'echo "hello from $(hostname), working in $(pwd)"'
run destroy --yes
step=done
printf '\n%sdemo OK%s: planned, built, deployed, inspected, connected and destroyed.\n' "$bold" "$plain"
