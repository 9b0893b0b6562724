#!/usr/bin/env bash
# The one-off side-by-side run of 2026-11-28 (see README.md here); spikego bench
# has replaced it. Run from anywhere: it works in the repository and writes
# its logs to OUT (default: a new temporary directory).
set -euxo pipefail
cd "$(dirname "$0")/../../.."
out=${1:-$(mktemp -d)}
go build -o "$out/spikego" ./cmd/spikego
uptime
/usr/bin/python3 bench/peer/peer.py --model mlp --json "$out/peer_mlp.json" > "$out/peer_mlp.log" 2>&1
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peer/peer.py --model mlp --json "$out/peer_mlp_passive.json" > "$out/peer_mlp_passive.log" 2>&1
/usr/bin/time -v "$out/spikego" train --model mlp --out "$out/m" --quiet > "$out/sg_mlp.log" 2>&1
/usr/bin/python3 bench/peer/peer.py --model cnn --json "$out/peer_cnn.json" > "$out/peer_cnn.log" 2>&1
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peer/peer.py --model cnn --json "$out/peer_cnn_passive.json" > "$out/peer_cnn_passive.log" 2>&1
/usr/bin/time -v "$out/spikego" train --model cnn --train-samples 10000 --out "$out/c" --quiet > "$out/sg_cnn.log" 2>&1
/usr/bin/time -v "$out/spikego" train --model cnn --out "$out/cfull" --quiet > "$out/sg_cnnfull.log" 2>&1
uptime
echo "DONE: logs in $out"
