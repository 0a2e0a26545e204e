"""PyTorch eager peer of GpuBench step: the same initial weights (our safetensors, torchvision names),
the same fixed batch, SGD(lr=0.01, momentum=0.9), BCEWithLogits, bf16 autocast and channels_last on
CUDA. Prints one JSON line: images/s and the loss of the first 20 steps.
Usage: torch_gpu_peer.py DIR ARCH STEPS   (DIR holds init.safetensors and batch.safetensors)"""
import json, struct, sys, time

import numpy as np
import torch
import torchvision


def read_safetensors(path):
    """Minimal reader (the safetensors package may be absent): 8-byte header length, JSON header, data."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": np.float32, "I64": np.int64, "F64": np.float64}
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtypes[v["dtype"]]).reshape(v["shape"]).copy())
    return out


def main():
    d, arch, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cuda = dev.type == "cuda"
    batch = read_safetensors(f"{d}/batch.safetensors")
    x, y = batch["x"], batch["y"]
    model = getattr(torchvision.models, arch)(num_classes=y.shape[1])
    model.load_state_dict(read_safetensors(f"{d}/init.safetensors"), strict=True)
    model = model.to(dev)
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=0)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        xb = x.pin_memory().to(dev, non_blocking=True) if cuda else x
        yb = y.pin_memory().to(dev, non_blocking=True) if cuda else y
        if cuda:
            xb = xb.contiguous(memory_format=torch.channels_last)
        opt.zero_grad(set_to_none=False)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=cuda):
            logits = model(xb)
        loss = loss_fn(logits.float(), yb)
        loss.backward()
        opt.step()
        return loss.item()  # waits for the GPU each step, as ours does

    first = min(20, steps)
    losses = [step() for _ in range(first)]
    timed = max(1, steps - first)
    t0 = time.perf_counter()
    for _ in range(timed):
        step()
    s = time.perf_counter() - t0
    print(json.dumps({"device": dev.type, "torch": torch.__version__, "arch": arch, "batch": int(x.shape[0]),
                      "timed_steps": timed, "images_per_s": timed * x.shape[0] / s, "losses": losses,
                      "peak_gpu_mib": torch.cuda.max_memory_allocated() / 2**20 if cuda else None}))


if __name__ == "__main__":
    main()
