"""Folds the GPU check's JSON lines and samples into summary.json (stdout). Usage: summarize.py OUT 'THREADS'"""
import json, os, sys

out, threads = sys.argv[1], sys.argv[2].split()


def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.loads(f.read().strip() or "null")
    except (OSError, ValueError) as e:
        return {"error": f"{name}: {e}"}


samples, marks = [], {}
with open(os.path.join(out, "samples.csv")) as f:
    for line in f:
        p = line.strip().split(",")
        if len(p) == 3 and p[1] == "MARK":
            marks[p[2]] = float(p[0])
        elif len(p) == 4:
            try:
                samples.append((float(p[0]), float(p[1]) if p[1] else None, float(p[2]) if p[2] else None, float(p[3])))
            except ValueError:
                pass

s = {"smoke": load("smoke.json"), "step_ours": load("step_ours.json"), "step_torch": load("step_torch.json"),
     "score": load("score.json"), "nccl_two_workers": "skipped: one GPU (NCCL needs one GPU per rank)"}
ours, peer = s["step_ours"] or {}, s["step_torch"] or {}
if isinstance(ours, dict) and isinstance(peer, dict) and "images_per_s" in ours and "images_per_s" in peer:
    s["step_ratio_ours_over_torch"] = ours["images_per_s"] / peer["images_per_s"]
    s["loss_max_abs_diff_first_20"] = max(abs(a - b) for a, b in zip(ours["losses"], peer["losses"]))
loader = {}
for t in threads:
    r = load(f"train_{t}.json")
    a, b = marks.get(f"train_{t}"), marks.get(f"end_{t}")
    util = [u for (ts, u, _, _) in samples if a and b and a <= ts <= b and u is not None]
    if isinstance(r, dict):
        r["gpu_busy_mean_pct"] = sum(util) / len(util) if util else None
    loader[t] = r
s["loader"] = loader
mem = [m for (_, _, m, _) in samples if m is not None]
rss = [r for (_, _, _, r) in samples]
s["peak_gpu_memory_mib"] = max(mem) if mem else None
s["peak_host_rss_mib"] = max(rss) / 1024 if rss else None
# flat over the run: RSS in the last quarter of the samples against the second quarter
if len(rss) >= 8:
    q = len(rss) // 4
    s["host_rss_mib_q2_q4"] = [max(rss[q:2 * q]) / 1024, max(rss[3 * q:]) / 1024]
print(json.dumps(s, indent=1))
