#!/usr/bin/env bash
# Preprocess throughput per core against Pillow (issue 3), side by side on the same JPEGs:
# our OpenCV decode (reduced DCT) + resize shorter side to 256 + JPEG q90 versus Pillow's
# Image.draft + resize + JPEG q90 (Debian's python3-pil), both pinned to one core. Pillow runs twice:
# with BILINEAR (antialiased) and with BOX, the area filter that our INTER_AREA computes.
#   benchmarks/scripts/preprocess-vs-pillow.sh        # 500x375 and 2048x1536, 300 and 80 images
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/peers.sh
need_python_module PIL python3-pil
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for size in "500 375 300" "2048 1536 80"; do
  set -- $size
  DIR="$TMP/$1x$2"
  java -cp "$CP" dev.labelbeam.benchmarks.PreprocessVsPillow write "$DIR" "$1" "$2" "$3"
  J=$(taskset -c 0 java -XX:ActiveProcessorCount=1 -cp "$CP" dev.labelbeam.benchmarks.PreprocessVsPillow time "$DIR" | grep java_ | cut -d= -f2)
  P=$(taskset -c 0 /usr/bin/python3 benchmarks/scripts/pillow_preprocess.py "$DIR" BILINEAR | cut -d= -f2)
  B=$(taskset -c 0 /usr/bin/python3 benchmarks/scripts/pillow_preprocess.py "$DIR" BOX | cut -d= -f2)
  /usr/bin/python3 -c "print(f'$1x$2 ($3 JPEGs q90 -> shorter side 256, q90, one core): labelbeam {float($J):.1f} images/s; Pillow BILINEAR {float($P):.1f} images/s, ratio {float($J)/float($P):.2f}x; Pillow BOX (same area filter) {float($B):.1f} images/s, ratio {float($J)/float($B):.2f}x')"
done
