#!/usr/bin/env bash
# The GPU check (issue 16) as ONE command on the GPU machine, from the parts benchmarks/gpu/prepare.sh
# built (see there for the call sequence). Writes summary.json and logs into $OUT.
#   device-run.sh stage   only keeps this call's part in $STAGE (the machine's temp folder survives
#                         between calls while it stays warm)
#   device-run.sh         stages the last part, assembles, and measures:
#     1. smoke: tensors on the GPU, bf16 autocast on/off, channels_last
#     2. ResNet-50, 224 px, batch 256, bf16: our TrainStep vs PyTorch eager (device python3), same initial
#        weights and batch: images/s ratio and the largest loss difference over the first 20 steps
#     3. GPU busy share while the Trainer reads real shards with 4, 8 and 14 loader threads
#     4. the trained checkpoint scores the val shards on CUDA (Predictor) with macro-AUC; NCCL with two
#        workers needs two GPUs (one GPU per rank) and is skipped on one
#     5. peak GPU memory and host RSS, sampled every 0.5 s through the whole run
# DRY_RUN=1 shrinks every size so that the whole sequence runs on a CPU in about two minutes.
set -uo pipefail
R=$(pwd)
OUT=${OUT:-$R/gpu-out}
STAGE=${STAGE:-/tmp/labelbeam-carry}
mkdir -p "$OUT" "$STAGE"
cp .carry/part*/chunk-* "$STAGE"/ 2>/dev/null
if [ "${1:-}" = stage ]; then
  ls -la "$STAGE"
  exit 0
fi
W=$(mktemp -d)
cat "$STAGE"/chunk-* | xz -d | tar xf - -C "$W" || { echo "carry incomplete: $(ls "$STAGE")"; exit 1; }
LB=$W/lb
JAVA=$LB/jre/bin/java
MODE=$(cat "$LB/MODE")
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/run.log"; }
JOPTS=(-Xmx24g)
if [ "$MODE" = gpu ]; then
  TL=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')")
  NV=$(python3 -c "import nvidia,os;p=list(nvidia.__path__)[0];print(':'.join(sorted(os.path.join(p,d,'lib') for d in os.listdir(p) if os.path.isdir(os.path.join(p,d,'lib')))))" 2>/dev/null || true)
  export LD_LIBRARY_PATH=$TL:$NV:${LD_LIBRARY_PATH:-}
  JOPTS+=(-Dorg.bytedeco.javacpp.platform.extension=-gpu -Dorg.bytedeco.javacpp.pathsFirst=true -Djava.library.path=$TL:$NV)
  mkdir -p "$W/gj" && (cd "$W/gj" && unzip -q -o "$LB/jars/pytorch-gpu-jni.jar")
  for f in "$W"/gj/org/bytedeco/pytorch/linux-x86_64-gpu/*.so; do
    echo "$(basename "$f") undefined_symbols=$(ldd -r "$f" 2>&1 | grep -c 'undefined symbol')"
  done > "$OUT/abi.txt" 2>&1
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >> "$OUT/run.log" 2>&1
fi
J() { "$JAVA" "${JOPTS[@]}" -cp "$LB/jars/*" dev.labelbeam.benchmarks.GpuBench "$@"; }
if [ "${DRY_RUN:-0}" = 1 ]; then
  ARCH=resnet18 SIZE=64 BATCH=8 STEPS=24 N=200 SHARD_SIZE=64 THREADS="1 2" TRAIN_STEPS=6
else
  ARCH=resnet50 SIZE=224 BATCH=256 STEPS=60 N=3000 SHARD_SIZE=256 THREADS="4 8 14" TRAIN_STEPS=60
fi
# 5. samplers: GPU utilization and memory, host RSS of our JVMs
( while sleep 0.5; do
    g=$(nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits 2>/dev/null | head -1 | tr -d ' ')
    r=$(ps -o rss= -C java 2>/dev/null | awk '{s+=$1} END {print s+0}')
    echo "$(date +%s.%N),${g:-,},$r"
  done ) > "$OUT/samples.csv" &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null' EXIT
mark() { echo "$(date +%s.%N),MARK,$1" >> "$OUT/samples.csv"; }

log "1. smoke"
J smoke > "$OUT/smoke.log" 2>&1; tail -1 "$OUT/smoke.log" > "$OUT/smoke.json"
log "2. $ARCH step, ours"
J step "$W/step" "$ARCH" "$SIZE" "$BATCH" "$STEPS" > "$OUT/step_ours.log" 2>&1; tail -1 "$OUT/step_ours.log" > "$OUT/step_ours.json"
log "2. $ARCH step, PyTorch eager"
if python3 -c "import torch, torchvision" 2>/dev/null; then
  python3 "$R/benchmarks/gpu/torch_gpu_peer.py" "$W/step" "$ARCH" "$STEPS" > "$OUT/step_torch.log" 2>&1
  tail -1 "$OUT/step_torch.log" > "$OUT/step_torch.json"
else
  echo '{"skipped": "no torch/torchvision in this python3"}' > "$OUT/step_torch.json"
fi
log "3. shards ($N images, $SHARD_SIZE px) and the loader"
J shards "$W/data" "$N" "$SHARD_SIZE" > "$OUT/shards.log" 2>&1
for t in $THREADS; do
  mark "train_$t"
  J train "$W/data/shards" "$W/model-$t" "$ARCH" "$SIZE" "$BATCH" "$t" "$TRAIN_STEPS" > "$OUT/train_$t.log" 2>&1
  mark "end_$t"
  tail -1 "$OUT/train_$t.log" > "$OUT/train_$t.json"
done
log "4. scoring the val shards with the trained checkpoint"
last=$(echo $THREADS | awk '{print $NF}')
J score "$W/data/shards" "$W/model-$last" > "$OUT/score.log" 2>&1; tail -1 "$OUT/score.log" > "$OUT/score.json"
kill $SAMPLER 2>/dev/null
python3 "$R/benchmarks/gpu/summarize.py" "$OUT" "$THREADS" > "$OUT/summary.json"
cat "$OUT/summary.json"
