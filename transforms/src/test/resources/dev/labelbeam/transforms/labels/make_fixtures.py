# Made the pickle fixtures beside this script once (python3 with numpy 2.x): python3 make_fixtures.py
# Each is a small dict of image file name -> labels in one of the forms PyTorch users keep them in.
import collections, os, pickle, numpy as np

def dump(name, obj, protocol):
    with open(name, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)

vectors = {"a.jpg": [1, 0, 1], "b.jpg": [0, 0, 0], "sub/c.jpg": [0, 1, 0]}
for p in (2, 3, 4, 5):
    dump(f"lists_p{p}.pckl", vectors, p)
for dtype in ("bool", "int64", "float32", "uint8"):
    for p in (2, 5):
        dump(f"numpy_{dtype}_p{p}.pckl", {k: np.array(v, dtype=dtype) for k, v in vectors.items()}, p)
dump("indices.pckl", {"a.jpg": [0, 2], "b.jpg": [], "sub/c.jpg": (1,)}, 4)
dump("numpy_indices.pckl", {"a.jpg": [np.int64(0), np.int64(2)], "b.jpg": [], "sub/c.jpg": [np.int64(1)]}, 4)
dump("names.pckl", collections.OrderedDict([("a.jpg", ["cat", "car"]), ("b.jpg", []), ("sub/c.jpg", ["dog"])]), 4)

# malicious: unpickling would run a command that creates a marker file (never run by labelbeam)
class Payload:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg
    def __reduce__(self):
        return (self.fn, (self.arg,))
marker = "touch /tmp/labelbeam-pickle-marker"
import subprocess, builtins
dump("evil_os_system_p2.pckl", {"a.jpg": Payload(os.system, marker)}, 2)
dump("evil_eval_p4.pckl", {"a.jpg": Payload(builtins.eval, "__import__('os').system('" + marker + "')")}, 4)
dump("evil_popen_p5.pckl", {"a.jpg": Payload(subprocess.Popen, ["touch", "/tmp/labelbeam-pickle-marker"])}, 5)
