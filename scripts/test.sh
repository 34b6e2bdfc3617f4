#!/usr/bin/env bash
# The two test tiers (README "Tests"):
#   fast  every dist/test/**/*.test.js but the long ones: what a developer runs, in under 3 minutes on 2 cores
#   long  the *.long.test.js files: whole systems (the real binary, browsers, Homebridge and its UI, Zigbee2MQTT, Matter
#         controllers, the packed tarball), the full crash test and the long model-based run
#   all   both, one lint and build first (what `bash scripts/dev.sh test` and CI run)
set -euo pipefail
cd "$(dirname "$0")/.."
tier=${1:-fast}
case "$tier" in fast | long | all) ;; *) echo "usage: scripts/test.sh fast|long|all" >&2; exit 2 ;; esac

# Lint and build are independent and each mostly one core: side by side they take the time of the longer one.
npx eslint . & lint=$!
npm run -s build || { kill "$lint" 2>/dev/null; exit 1; }
wait "$lint"

# The fast tier runs three files at a time: each file's tests stay in order, and they mostly wait on sockets and child
# processes, so three share two cores well. The long tier runs one file at a time: whole-system runs keep their timing.
fast() { npx mocha --parallel --jobs "${DOORSTEP_TEST_JOBS:-3}" "dist/test/**/*.test.js" --ignore "dist/test/**/*.long.test.js"; }
long() { npx mocha "dist/test/**/*.long.test.js"; }
case "$tier" in
  fast) fast ;;
  long) long ;;
  all) rc=0; fast || rc=$?; long || rc=$?; exit "$rc" ;; # both run, so one report shows every failure
esac
