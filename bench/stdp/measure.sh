#!/bin/sh
# Side-by-side speed and memory of spikego stdp and BrainCog's own
# unsupervised STDP example (codef.py) on this machine, at full scale
# (12 channels, 6400 neurons, T=100 in phase 1, 200 in phase 2).
#
#   bench/stdp/measure.sh BRAINCOG_DIR [OUT_DIR]
#
# BRAINCOG_DIR is a checkout of BrainCog-X/Brain-Cog outside this
# repository (or set BRAINCOG). Needs Go, Debian's python3-torch and
# Fashion-MNIST in /usr/share/datasets/fashion-mnist. Results (one JSON
# object per line) go to OUT_DIR/results.jsonl (default bench/stdp/results).
#
# Settings (environment): P1_BATCHES, P2_BATCHES timed BrainCog batches
# (after one warm-up), P2_BATCH BrainCog's phase-2 batch (its example uses
# 1024, which needs over 24 GB: autograd keeps all 200 steps), DEFAULT_BATCH
# the batch of the runs without OMP_WAIT_POLICY=PASSIVE (much slower on a
# busy machine), SAMPLES the samples spikego trains per phase.
set -eu
BRAINCOG=${1:-${BRAINCOG:-}}
if [ -z "$BRAINCOG" ] || [ ! -f "$BRAINCOG/examples/Perception_and_Learning/UnsupervisedSTDP/codef.py" ]; then
	echo "usage: $0 BRAINCOG_DIR [OUT_DIR]  (a BrainCog-X/Brain-Cog checkout)" >&2
	exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${2:-$ROOT/bench/stdp/results}
P1_BATCHES=${P1_BATCHES:-2}
P2_BATCHES=${P2_BATCHES:-2}
P2_BATCH=${P2_BATCH:-128}
DEFAULT_BATCH=${DEFAULT_BATCH:-64}
SAMPLES=${SAMPLES:-4096}
PY=/usr/bin/python3
mkdir -p "$OUT"
RES=$OUT/results.jsonl
: > "$RES"
note() { echo "== $*" >&2; }

note "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
BC="$PY $ROOT/bench/stdp/braincog_stdp.py --braincog $BRAINCOG --threads 2"
note "BrainCog phase 1, OMP_WAIT_POLICY=PASSIVE, batch 1024"
OMP_WAIT_POLICY=PASSIVE $BC --phase 1 --batch 1024 --batches "$P1_BATCHES" >> "$RES"
note "BrainCog phase 2, OMP_WAIT_POLICY=PASSIVE, batch $P2_BATCH"
OMP_WAIT_POLICY=PASSIVE $BC --phase 2 --batch "$P2_BATCH" --batches "$P2_BATCHES" >> "$RES"
note "BrainCog phase 1, default OMP_WAIT_POLICY, batch $DEFAULT_BATCH"
$BC --phase 1 --batch "$DEFAULT_BATCH" --batches 1 >> "$RES"
note "BrainCog phase 2, default OMP_WAIT_POLICY, batch $DEFAULT_BATCH"
$BC --phase 2 --batch "$DEFAULT_BATCH" --batches 1 >> "$RES"

note "spikego stdp, full scale, batch 1024, $SAMPLES samples per phase"
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
(cd "$ROOT" && go build -o "$BIN/spikego" ./cmd/spikego)
"$BIN/spikego" stdp --out "$BIN/run" --quiet --p1-epochs 1 --p1-samples "$SAMPLES" --p2-epochs 1 --p2-samples "$SAMPLES" >&2
sed 's/^{/{"library":"spikego",/' "$BIN/run/metrics.jsonl" >> "$RES"
note "machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$RES"
