"""Damages JPEGs as web files are damaged, in their largest scan (the entropy-coded data):
256 random bytes (3 seeds), 4 KB of zeros, a cut with an end marker, single bit flips (3), and
5 zero bytes before the end marker. Usage: jpeg_damage.py IN_DIR OUT_DIR; writes NAME.KIND.jpg."""
import os
import random
import sys


def largest_scan(b):
    best = (0, 0)
    i = 2
    while i + 3 < len(b) and b[i + 1] != 0xD9:
        j = i + 2 + (b[i + 2] << 8 | b[i + 3])
        if b[i + 1] == 0xDA:
            start = j
            while j + 1 < len(b) and not (b[j] == 0xFF and b[j + 1] != 0 and not 0xD0 <= b[j + 1] <= 0xD7):
                j += 1
            if j - start > best[1] - best[0]:
                best = (start, j)
        i = j
    return best


def main(src, out):
    rnd = random.Random(7)
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        b = open(os.path.join(src, name), 'rb').read()
        s, e = largest_scan(b)
        if e - s < 20000:
            continue
        stem = name.rsplit('.', 1)[0]

        def put(kind, data):
            open(os.path.join(out, f'{stem}.{kind}.jpg'), 'wb').write(bytes(data))

        put('valid', b)
        for k in range(3):
            p = rnd.randrange(s + 100, e - 300)
            c = bytearray(b)
            c[p:p + 256] = bytes(rnd.randrange(256) for _ in range(256))
            put(f'random{k}', c)
        p = rnd.randrange(s + 100, e - 5000)
        c = bytearray(b)
        c[p:p + 4096] = bytes(4096)
        put('zeros', c)
        p = rnd.randrange(s + 100, e - 100)
        put('cut', b[:p] + b'\xff\xd9')
        for k in range(3):
            p = rnd.randrange(s + 10, e - 10)
            c = bytearray(b)
            c[p] ^= 1 << rnd.randrange(8)
            put(f'flip{k}', c)
        put('tail5', b[:-2] + bytes(5) + b'\xff\xd9')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
