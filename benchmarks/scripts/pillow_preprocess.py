"""The Pillow peer of PreprocessVsPillow: Image.draft + resize (shorter side 256) + JPEG quality 90, one thread.

Usage: pillow_preprocess.py DIR [FILTER]; FILTER is BILINEAR (default; antialiased when shrinking) or BOX
(area averaging, the same filter as OpenCV's INTER_AREA that labelbeam uses).
"""
import io
import os
import sys
import time

from PIL import Image

d = sys.argv[1]
files = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
S = 256
FILTER = getattr(Image, sys.argv[2] if len(sys.argv) > 2 else "BILINEAR")


def process(b):
    im = Image.open(io.BytesIO(b))
    w, h = im.size
    scale = S / min(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    im.draft("RGB", size)  # DCT-domain reduction, as our reduced decode
    im = im.convert("RGB")
    im = im.resize(size, FILTER, reducing_gap=None)
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=90)
    return out.getvalue()


for b in files:  # warm-up
    process(b)
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for b in files:
        process(b)
    best = min(best, time.perf_counter() - t0)
print(f"pillow_images_per_s={len(files) / best:.2f}")
