set -x
cd /work/main
uptime
/usr/bin/python3 bench/peer/peer.py --model mlp --json /tmp/peer_mlp.json > /tmp/peer_mlp.log 2>&1
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peer/peer.py --model mlp --json /tmp/peer_mlp_passive.json > /tmp/peer_mlp_passive.log 2>&1
/usr/bin/time -v /tmp/spikego train --model mlp --out /tmp/m --quiet > /tmp/sg_mlp.log 2>&1
/usr/bin/python3 bench/peer/peer.py --model cnn --json /tmp/peer_cnn.json > /tmp/peer_cnn.log 2>&1
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peer/peer.py --model cnn --json /tmp/peer_cnn_passive.json > /tmp/peer_cnn_passive.log 2>&1
/usr/bin/time -v /tmp/spikego train --model cnn --train-samples 10000 --out /tmp/c --quiet > /tmp/sg_cnn.log 2>&1
/usr/bin/time -v /tmp/spikego train --model cnn --out /tmp/cfull --quiet > /tmp/sg_cnnfull.log 2>&1
uptime
echo DONE
