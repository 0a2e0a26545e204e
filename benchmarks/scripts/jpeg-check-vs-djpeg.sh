#!/usr/bin/env bash
# The corrupt-JPEG check (JpegScanCheck, issue 13) against libjpeg-turbo's own warnings, on real
# photographs: Debian's MATE and Lomiri wallpaper packages (downloaded, not installed), the same
# photos transcoded losslessly by jpegtran (restart intervals; progressive with restarts; grayscale)
# and smaller copies (half and a quarter of the size, q90, every other one progressive, by djpeg | cjpeg). Each is damaged as web files are
# (jpeg_damage.py: random bytes, zeros, a cut with an end marker, bit flips, bytes before the end).
#  1. verdicts: ours against djpeg's "Corrupt JPEG data" / "Premature end" warnings, per damage kind;
#  2. cost per photo, one core: the check alone, preprocess with and without it, djpeg's full decode.
#   benchmarks/scripts/jpeg-check-vs-djpeg.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/peers.sh
need_commands "djpeg jpegtran cjpeg" libjpeg-turbo-progs
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
debs_extracted "$TMP" mate-backgrounds lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
mkdir -p "$TMP/photos" "$TMP/coded" "$TMP/half" "$TMP/web"
find "$TMP/x" -iname '*.jpg' -size -3M -exec cp {} "$TMP/photos/" \;
i=0
for f in "$TMP"/photos/*.jpg; do
  n=$(basename "$f" .jpg)
  i=$((i + 1))
  mode=$( ((i % 2)) && echo -progressive || true) # every other smaller copy progressive, as on the web
  jpegtran -restart 1 -outfile "$TMP/coded/$n-restart.jpg" "$f"
  jpegtran -restart 2B -progressive -outfile "$TMP/coded/$n-progressive-restart.jpg" "$f"
  jpegtran -grayscale -outfile "$TMP/coded/$n-gray.jpg" "$f"
  djpeg -scale 1/2 "$f" | cjpeg -quality 90 $mode > "$TMP/half/$n-half.jpg"
  djpeg -scale 1/4 "$f" | cjpeg -quality 90 $mode > "$TMP/web/$n-web.jpg"
done
progressive=$(/usr/bin/python3 -c "
import glob, sys
def sof(b):
    i = 2
    while i + 3 < len(b):
        if b[i + 1] in (0xC0, 0xC1, 0xC2):
            return b[i + 1]
        i += 2 + (b[i + 2] << 8 | b[i + 3])
print(sum(sof(open(f, 'rb').read()) == 0xC2 for f in glob.glob(sys.argv[1] + '/*.jpg')))" "$TMP/photos")
echo "$(ls "$TMP/photos" | wc -l) photos ($progressive progressive), $(ls "$TMP/coded" | wc -l) transcodes, $(ls "$TMP/half" | wc -l) half-sized, $(ls "$TMP/web" | wc -l) quarter-sized"

echo "== verdicts"
mkdir -p "$TMP/all"
cp "$TMP"/photos/*.jpg "$TMP"/coded/*.jpg "$TMP"/half/*.jpg "$TMP"/web/*.jpg "$TMP/all/"
/usr/bin/python3 benchmarks/scripts/jpeg_damage.py "$TMP/all" "$TMP/damaged"
for f in "$TMP"/damaged/*.jpg; do
  if out=$(djpeg -outfile /dev/null "$f" 2>&1); then status=decoded; else status=refused; fi
  warning=$(grep -m1 -E 'Corrupt JPEG data|Premature end' <<<"$out" || true)
  printf '%s\t%s\t%s\n' "$(basename "$f")" "$status" "${warning:-ok}"
done > "$TMP/djpeg.tsv"
java -cp "$CP" dev.labelbeam.benchmarks.JpegCheckVsDjpeg verdicts "$TMP/damaged" > "$TMP/ours.tsv"
/usr/bin/python3 - "$TMP/djpeg.tsv" "$TMP/ours.tsv" <<'PY'
import collections, sys
djpeg = {}
for l in open(sys.argv[1]):
    name, status, warning = l.rstrip('\n').split('\t', 2)
    djpeg[name] = (status, warning)
rows = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
examples = []
for l in open(sys.argv[2]):
    name, ours = l.rstrip('\n').split('\t', 1)
    kind = name.rsplit('.', 2)[1].rstrip('0123456789')
    status, warning = djpeg[name]
    if status == 'refused' and warning == 'ok':
        rows[kind][4] += 1  # libjpeg stops with an error: decode_failed for us as well
        continue
    o, d = ours != 'ok', warning != 'ok'
    rows[kind][(0 if o and d else 1 if o else 2 if d else 3)] += 1
    if o != d and len(examples) < 12:
        examples.append(f'  {name}: ours "{ours}", djpeg "{warning}"')
print(f'{"damage":8} {"files":>6} {"both":>6} {"ours only":>10} {"djpeg only":>11} {"neither":>8} {"refused":>8}')
for kind, r in rows.items():
    print(f'{kind:8} {sum(r):6} {r[0]:6} {r[1]:10} {r[2]:11} {r[3]:8} {r[4]:8}')
print('both/ours only/djpeg only: a corrupt-data verdict; neither: both decode it as valid;')
print('refused: libjpeg stops with an error (a damaged table or marker), decode_failed in preprocess too')
print('disagreements (first 12):')
print('\n'.join(examples) or '  none')
PY

echo "== cost per file (one core; preprocess = decode at reduced DCT + resize shorter side 256 + JPEG q90)"
for set in photos half web; do
  read -r check with without < <(taskset -c 0 java -XX:ActiveProcessorCount=1 -cp "$CP" dev.labelbeam.benchmarks.JpegCheckVsDjpeg time "$TMP/$set" \
    | sed -E 's/[a-z_]+=//g')
  start=$(date +%s%N)
  for f in "$TMP/$set"/*.jpg; do taskset -c 0 djpeg -outfile /dev/null "$f"; done
  djms=$(( ($(date +%s%N) - start) / 1000000 ))
  /usr/bin/python3 -c "
n=$(ls "$TMP/$set" | wc -l); dj=$djms/n
print(f'$set ({n} files): check {$check:.2f} ms, preprocess {$without:.2f} ms without it and {$with:.2f} ms with it (+{100*($with-$without)/$without:.0f}%); djpeg full decode {dj:.2f} ms (process start included): check/djpeg {$check/dj:.2f}x')"
done
