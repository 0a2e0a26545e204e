"""The PyTorch peer of TrainerBenchmarks (Debian's python3-torch and python3-torchvision)."""
import io
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torchvision
from torchvision import transforms as T


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        dtype = {"float32": "F32", "int64": "I64"}[str(a.dtype)]
        b = a.astype("<f4" if dtype == "F32" else "<i8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def load_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, m in header.items():
        if name == "__metadata__":
            continue
        b, e = m["data_offsets"]
        dt = {"F32": "<f4", "I64": "<i8"}[m["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[8 + n + b:8 + n + e], dtype=dt).copy().reshape(m["shape"]))
    return out


cmd, *rest = sys.argv[1:]
torch.set_num_threads(int(os.environ.get("THREADS", "2")))
if cmd == "loader":
    d = rest[0]
    files = [open(os.path.join(d, "jpeg", f), "rb").read() for f in sorted(os.listdir(os.path.join(d, "jpeg")))]

    class Jpegs(torch.utils.data.Dataset):
        tf = T.Compose([T.RandomResizedCrop(224, antialias=True), T.RandomHorizontalFlip(),
                        T.ConvertImageDtype(torch.float), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

        def __len__(self):
            return len(files)

        def __getitem__(self, i):
            img = torchvision.io.decode_jpeg(torch.frombuffer(bytearray(files[i]), dtype=torch.uint8))
            return self.tf(img), torch.zeros(10)

    dl = torch.utils.data.DataLoader(Jpegs(), batch_size=32, shuffle=True, num_workers=0, drop_last=True)
    best = 0
    for _ in range(3):
        t0 = time.perf_counter()
        n = sum(x.shape[0] for x, _ in dl)
        best = max(best, n / (time.perf_counter() - t0))
    print(f"torch_loader_images_per_s={best:.1f}")
elif cmd == "step":
    torch.manual_seed(0)
    m = torchvision.models.resnet18(num_classes=100)
    m.train()
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    loss = torch.nn.BCEWithLogitsLoss()
    x = torch.randn(32, 3, 112, 112)
    y = (torch.rand(32, 100) > 0.9).float()
    best = 0
    for rep in range(4):
        t0 = time.perf_counter()
        for _ in range(10):
            opt.zero_grad()
            l = loss(m(x), y)
            l.backward()
            opt.step()
        if rep > 0:
            best = max(best, 320 / (time.perf_counter() - t0))
    print(f"torch_step_images_per_s={best:.1f}")
elif cmd == "check-export":
    d = rest[0]
    torch.manual_seed(1)
    m = torchvision.models.resnet18(num_classes=10)
    # non-trivial running statistics, as a trained model has
    m.train()
    with torch.no_grad():
        for _ in range(3):
            m(torch.randn(8, 3, 64, 64))
    m.eval()
    x = torch.randn(2, 3, 112, 112)
    save_safetensors(os.path.join(d, "torchvision_weights.safetensors"), m.state_dict())
    torch.save(m.state_dict(), os.path.join(d, "torchvision_weights.pth"))
    save_safetensors(os.path.join(d, "input.safetensors"), {"x": x})
    with torch.no_grad():
        save_safetensors(os.path.join(d, "torchvision_logits.safetensors"), {"logits": m(x)})
elif cmd == "check-compare":
    d = rest[0]
    theirs = load_safetensors(os.path.join(d, "torchvision_logits.safetensors"))["logits"]
    ours = load_safetensors(os.path.join(d, "ours_logits.safetensors"))["logits"]
    print(f"torchvision weights in labelbeam: largest |logit difference| {float((theirs - ours).abs().max()):.3e} "
          f"(logits up to {float(theirs.abs().max()):.2f})")
    m = torchvision.models.resnet18(num_classes=10)
    missing, unexpected = m.load_state_dict(load_safetensors(os.path.join(d, "ours_weights.safetensors")), strict=True)
    m.eval()
    x = load_safetensors(os.path.join(d, "input.safetensors"))["x"]
    with torch.no_grad():
        tv = m(x)
    ours_fresh = load_safetensors(os.path.join(d, "ours_fresh_logits.safetensors"))["logits"]
    print(f"labelbeam weights in torchvision (strict load): largest |logit difference| {float((tv - ours_fresh).abs().max()):.3e}")
    ours_pth = load_safetensors(os.path.join(d, "ours_pth_logits.safetensors"))["logits"]
    print(f"torchvision .pth (torch.save) in labelbeam: largest |logit difference| {float((theirs - ours_pth).abs().max()):.3e}")
    m2 = torchvision.models.resnet18(num_classes=10)
    m2.load_state_dict(torch.load(os.path.join(d, "ours_weights.pth"), weights_only=True), strict=True)
    m2.eval()
    with torch.no_grad():
        tv2 = m2(x)
    print(f"labelbeam .pth (PthWriter) in torchvision (torch.load weights_only, strict): largest |logit difference| "
          f"{float((tv2 - ours_fresh).abs().max()):.3e}")
