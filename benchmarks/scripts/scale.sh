#!/usr/bin/env bash
# Growth at the mission's class count (issue 17): the scale variant of the demo's dataset (the demo's
# images, its 12 learnable labels, and 3-10 Zipf-distributed tail labels per image out of 11,000 classes;
# ScaleDataset) at several sizes, each stage run as a user runs it (./labelbeam, the default embedded
# Flink, a 4 GB heap), measured for wall time, peak RSS, peak heap (from the GC log) and output size.
# Prints a table per stage and size, then a fixed cost and a cost per image per stage (least squares
# over the sizes) and what that makes at 12 million images.
#
#   benchmarks/scripts/scale.sh                  # sizes 5000 20000 50000; 500 and 2000 photo-sized (1024x768)
#   SIZES="5000 20000" PHOTOS="" benchmarks/scripts/scale.sh
#   CLUSTER=1 benchmarks/scripts/scale.sh        # also evaluate the 20,000 one (CLUSTER_SIZE) on a local
#                                                # Flink session cluster with its default configuration
#   SIZES=22223 PHOTOS="" CLUSTER=1 CLUSTER_SIZE=22223 benchmarks/scripts/scale.sh   # 20,000 train examples
# Stages: preprocess (64 px -> shorter:48), check, train (1 epoch, small_cnn, validating on val),
# evaluate (the train split: 0.9 N examples x 11,000 classes), predict (all N images); photo: preprocess
# of 1024x768 photo-like JPEGs to shorter:256. Work folder: $WORK (default a temp folder, removed at the end
# unless KEEP=1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SIZES="${SIZES:-5000 20000 50000}"
PHOTOS="${PHOTOS-500 2000}"   # PHOTOS="" for none
CLASSES="${CLASSES:-11000}"
HEAP="${HEAP:-4g}"
WORK="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/labelbeam-scale.XXXXXX")}"
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'runner-configs/flink/cluster.sh stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

mvn -q -B -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
RESULTS="$WORK/results.tsv"
printf 'stage\timages\twall_s\trss_mb\theap_mb\tlive_mb\toutput_mb\textra\n' > "$RESULTS"

# measure STAGE IMAGES OUTPUT_PATH EXTRA -- labelbeam arguments...
measure() {
  local stage=$1 n=$2 out=$3 extra=$4; shift 5
  local gc="$WORK/gc-$stage-$n.log"
  echo "== $stage, $n images: ./labelbeam $*" >&2
  if ! LABELBEAM_JAVA_OPTS="-Xmx$HEAP -Xlog:gc:file=$gc" /usr/bin/time -f '%e %M' -o "$WORK/time.txt" \
      ./labelbeam "$@" > "$WORK/$stage-$n.out" 2>&1; then
    tail -n 40 "$WORK/$stage-$n.out" >&2
    echo "scale: $stage at $n images FAILED" >&2
    exit 1
  fi
  local wall rss heap live size
  read -r wall rss < "$WORK/time.txt"
  # peak heap: the most used before a collection; live: the most left after one (what the data holds)
  heap="$(grep -oE '[0-9]+M->' "$gc"* 2>/dev/null | tr -d 'M>-' | sort -n | tail -n 1)"
  live="$(grep -oE '[0-9]+M->[0-9]+M' "$gc"* 2>/dev/null | sed 's/.*->//; s/M//' | sort -n | tail -n 1)"
  size="$( [ -e "$out" ] && du -sm "$out" | cut -f1 || echo 0)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$stage" "$n" "$wall" "$((rss / 1024))" "${heap:-0}" "${live:-0}" "$size" \
    "$extra" >> "$RESULTS"
}

for n in $SIZES; do
  d="$WORK/n$n"
  java -cp "$CP" dev.labelbeam.benchmarks.ScaleDataset "$d/data" "$n" "$CLASSES" 64 >&2
  measure preprocess "$n" "$d/shards" "" -- preprocess --manifest "$d/data/manifest.csv" --labels "$d/data/labels.txt" \
    --output "$d/shards" --resize shorter:48 --val-fraction 0.1
  measure check "$n" "" "" -- check --dataset "$d/shards"
  measure train "$n" "$d/model" "" -- train --shards "$d/shards" --output "$d/model" --epochs 1 --crop-scale-min 1
  # the epoch's training and validation seconds, from the run's own log
  val="$(python3 -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1])][-1]; print('train %.1f s, validation %.1f s' % (e['seconds'], e['val_seconds'] or 0))" "$d/model/train_log.jsonl")"
  sed -i "\$s/\t\$/\t$val/" "$RESULTS"
  measure evaluate "$n" "$d/eval" "" -- evaluate --shards "$d/shards" --model "$d/model" --split train --output "$d/eval"
  measure predict "$n" "$d/preds" "" -- predict --model "$d/model" --images "$d/data/images/*.jpg" --output "$d/preds"
  if [ "${CLUSTER:-0}" = 1 ] && [ "$n" = "${CLUSTER_SIZE:-20000}" ]; then
    [ -f pipelines/target/labelbeam-bundled.jar ] || mvn -q -B -Pcluster -DskipTests package -pl pipelines -am
    [ -d runner-configs/flink/target/lib ] || mvn -q -B -f runner-configs/flink/pom.xml package
    LABELBEAM_FLINK_WORKDIR="$WORK/cluster" runner-configs/flink/cluster.sh start 2
    measure evaluate-cluster "$n" "$d/eval-cluster" "session cluster, 2 TaskManagers" -- evaluate --shards "$d/shards" \
      --model "$d/model" --split train --output "$d/eval-cluster" @runner-configs/flink-cluster.args
    cmp "$d/eval/metrics.json" "$d/eval-cluster/metrics.json" && echo "cluster metrics.json identical to the embedded Flink's" >&2
    LABELBEAM_FLINK_WORKDIR="$WORK/cluster" runner-configs/flink/cluster.sh stop
  fi
  rm -rf "$d/data/images" "$d/preds" # keep the shards, model and reports; the images are the bulk
done

for n in $PHOTOS; do
  d="$WORK/photo$n"
  java -cp "$CP" dev.labelbeam.benchmarks.ScaleDataset "$d/data" "$n" "$CLASSES" 1024x768 >&2
  measure preprocess-photo "$n" "$d/shards" "1024x768 JPEG -> shorter:256" -- preprocess \
    --manifest "$d/data/manifest.csv" --labels "$d/data/labels.txt" --output "$d/shards" --resize shorter:256 --val-fraction 0.1
  rm -rf "$d"
done

python3 - "$RESULTS" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
print("| stage | images | wall s | images/s | peak RSS MB | peak heap MB | live heap MB | output MB | notes |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    n, w = int(r['images']), float(r['wall_s'])
    print(f"| {r['stage']} | {n:,} | {w:.1f} | {n / w:,.0f} | {r['rss_mb']} | {r['heap_mb']} | {r['live_mb']} | {r['output_mb']} | {r['extra']} |")
print()
print("| stage | fixed s | ms per image | core-hours at 12 M images (2 cores busy) |")
print("|---|---|---|---|")
stages = []
for r in rows:
    if r['stage'] not in stages:
        stages.append(r['stage'])
for s in stages:
    pts = [(int(r['images']), float(r['wall_s'])) for r in rows if r['stage'] == s]
    if len(pts) < 2:
        n, w = pts[0]
        print(f"| {s} | (one size) | {1000 * w / n:.2f} (whole run / images) | {2 * w / n * 12e6 / 3600:,.0f} |")
        continue
    k = len(pts); sx = sum(p[0] for p in pts); sy = sum(p[1] for p in pts)
    sxx = sum(p[0] ** 2 for p in pts); sxy = sum(p[0] * p[1] for p in pts)
    b = (k * sxy - sx * sy) / (k * sxx - sx * sx); a = (sy - b * sx) / k
    print(f"| {s} | {a:.1f} | {1000 * b:.3f} | {2 * b * 12e6 / 3600:,.0f} |")
EOF
echo "results: $RESULTS" >&2
