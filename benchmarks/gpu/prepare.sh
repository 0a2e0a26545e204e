#!/usr/bin/env bash
# Prepares the GPU check (issue 16) on this machine: builds .carry/ with everything the GPU machine
# needs (it has no Maven, no internet and probably no Java), cut into parts that each travel in one
# device call (at most 64 MiB a call).
#   benchmarks/gpu/prepare.sh          the CUDA build: our jars, a jlink'ed Java runtime, and the JNI
#                                      libraries of LibTorch's CUDA presets, WITHOUT libtorch itself
#                                      (the device's own libtorch from its PyTorch is used there; the
#                                      device run checks the ABI with ldd -r first)
#   benchmarks/gpu/prepare.sh --cpu    the same with the CPU natives (libtorch included), for the dry run here
# Then, one device call per part, in quick succession (a machine stays warm 30 s between calls):
#   parts 1..N-1: carry [".carry/partK"], command "bash benchmarks/gpu/device-run.sh stage"
#   part N:       carry [".carry/partN"], command "bash benchmarks/gpu/device-run.sh"
# benchmarks/gpu/dry-run.sh does all of it here against the CPU build.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODE=gpu
[ "${1:-}" = "--cpu" ] && MODE=cpu
PART_MB=${PART_MB:-60}
V=2.10.0-1.5.13
M=$HOME/.m2/repository
mvn -B -q -DskipTests install
grep -qx '/.carry/' .git/info/exclude 2>/dev/null || echo '/.carry/' >> .git/info/exclude
rm -rf .carry && mkdir -p .carry
S=$(mktemp -d); trap 'rm -rf "$S"' EXIT
mkdir -p "$S/lb/jars"
# the class path of the Java half (GpuBench): no Beam, no Flink, no picocli
for j in $(tr ':' '\n' < benchmarks/target/classpath.txt); do
  case "$(basename "$j")" in
    labelbeam-*|protobuf-java-*|jackson-*|javacpp-*|opencv-*|openblas-*) cp "$j" "$S/lb/jars/" ;;
    pytorch-$V.jar) cp "$j" "$S/lb/jars/" ;;
    pytorch-$V-linux-x86_64.jar) [ "$MODE" = cpu ] && cp "$j" "$S/lb/jars/" ;;
  esac
done
cp benchmarks/target/labelbeam-benchmarks.jar "$S/lb/jars/"
rm -f "$S"/lb/jars/labelbeam-pipelines* "$S"/lb/jars/labelbeam.jar
if [ "$MODE" = gpu ]; then
  mvn -B -q dependency:get -Dartifact=org.bytedeco:pytorch:$V:jar:linux-x86_64-gpu -Dtransitive=false
  t=$(mktemp -d)
  (cd "$t" && unzip -q "$M/org/bytedeco/pytorch/$V/pytorch-$V-linux-x86_64-gpu.jar" 'org/bytedeco/pytorch/linux-x86_64-gpu/libjni*.so' \
    && zip -q -r "$S/lb/jars/pytorch-gpu-jni.jar" org)
  rm -rf "$t"
fi
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,java.desktop,java.naming,java.xml \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$S/lb/jre"
echo "$MODE" > "$S/lb/MODE"
tar cf - -C "$S" lb | xz -T0 -3 > "$S/carry.tar.xz"
split -b "${PART_MB}M" -d -a 2 "$S/carry.tar.xz" "$S/chunk-"
n=0
for c in "$S"/chunk-*; do
  n=$((n + 1))
  mkdir -p ".carry/part$n"
  mv "$c" ".carry/part$n/"
done
echo "$MODE carry: $(du -sh "$S/carry.tar.xz" | cut -f1) in $n part(s) of at most ${PART_MB} MiB:"
ls -la .carry/part*/*
