#!/usr/bin/env bash
# The short soak of issues 7 and 13, for .ci/run after the tests: a minute of changes (3,000 changes to
# 600 deals) with every fault on and two kills of Node-RED. It fails (non-zero) when a change is
# lost, a row is left in the queue, a secret shows up in the runtime's outputs, or a fault never
# struck. The JSON report goes to stdout and to test/output/soak-ci.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test/output
npm run --silent soak -- --events 3000 --seconds 60 --faults all --kills 2 | tee test/output/soak-ci.json
# Then a short pass on one application installed on 3 portals (under a minute): 900 changes in
# 30 s spread over them, every fault on, one kill. Its report goes to test/output/soak-ci-portals.json.
npm run --silent soak -- --portals 3 --events 900 --seconds 30 --faults all --kills 1 | tee test/output/soak-ci-portals.json
