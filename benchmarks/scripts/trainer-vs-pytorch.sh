#!/usr/bin/env bash
# Trainer benchmarks against PyTorch (issue 4), side by side on the same inputs, plus the
# torchvision check. Installs Debian's python3-torch and python3-torchvision when missing.
#   loader: our shard loader, one thread, vs a DataLoader (num_workers=0) with torchvision decode,
#           RandomResizedCrop(224) and flip, over the same 256-pixel JPEGs: images/s per core
#   step:   ResNet-18 at 112 pixels, batch 32, SGD, CPU, two threads each: training images/s
#   check:  torchvision ResNet-18 weights loaded into ours (and ours into torchvision): largest logit difference
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/peers.sh
need_python_module torchvision python3-torchvision
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
J="java -Xmx4g -cp $CP dev.labelbeam.benchmarks.TrainerBenchmarks"
P="/usr/bin/python3 benchmarks/scripts/torch_peer.py"
$J data "$TMP/d" 512
JL=$(taskset -c 0 $J loader "$TMP/d" | grep java_ | cut -d= -f2)
PL=$(taskset -c 0 env THREADS=1 $P loader "$TMP/d" | cut -d= -f2)
echo "loader (one core, 512 JPEGs of 256 px -> random resized crop 224 + flip): labelbeam $JL images/s, PyTorch DataLoader $PL images/s, ratio $(/usr/bin/python3 -c "print(f'{$JL/$PL:.2f}x')")"
JS=$($J step | grep java_ | cut -d= -f2)
PS=$(THREADS=2 $P step | cut -d= -f2)
echo "training step (ResNet-18, 112 px, batch 32, CPU, 2 threads): labelbeam $JS images/s, PyTorch $PS images/s, ratio $(/usr/bin/python3 -c "print(f'{$JS/$PS:.2f}x')")"
JS1=$(taskset -c 0 java -Dthreads=1 -Xmx4g -cp "$CP" dev.labelbeam.benchmarks.TrainerBenchmarks step | grep java_ | cut -d= -f2)
PS1=$(taskset -c 0 env THREADS=1 $P step | cut -d= -f2)
echo "training step, one core (1 thread each): labelbeam $JS1 images/s, PyTorch $PS1 images/s, ratio $(/usr/bin/python3 -c "print(f'{$JS1/$PS1:.2f}x')")"
mkdir -p "$TMP/c"
$P check-export "$TMP/c"
$J check "$TMP/c"
$P check-compare "$TMP/c"
