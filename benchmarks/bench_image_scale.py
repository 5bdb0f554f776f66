"""Image folders at scale: hpogen on a FakeData-style folder of many small PNGs.

Writes N square RGB PNGs (uint8 noise plus a colour offset per class, so they are learnable; 10
class subfolders), then measures each step in a fresh process, so that peak RSS is the step's own:

  generate      `python -m hpogen generate --data FOLDER`: headers only     goal: under 10 s
  cache build   read_image_folder(FOLDER, (3, S, S), cache_dir=...): every image decoded once
  cache reuse   the same call in a new process: maps the cache, decodes nothing
  epoch cache   the bundle's train(CONFIG, budget=1) on the cached folder, split by the seeded
                20% hold-out into row views: 80% of the training rows for one epoch, the rest
                validated and the hold-out scored, every image streamed from the cache a batch
                at a time (stream_images=True)                 goal: peak RSS under 3 GB
  epoch subset  the same on the first 50000 rows, in memory (one float32 tensor) and streamed
                                                          goal: streamed at least 0.70 x in-memory
  epoch 4 GB    the same streamed epoch on a 4 GB X.npy of 128x128 images (written once, memory-
                mapped), resized per batch: peak RSS must not grow with the data  goal: under 3 GB

"wall s" is the whole measured process, "images/s" the timed work inside it. Writing is timed,
no goal; a folder with the right count is reused (--keep keeps it for the next run).
Usage: python benchmarks/bench_image_scale.py [--images 200000] [--size 32] [--work DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

CLASSES = 10
# a small network of the bundle's space, so that the epoch measures the data path too
CONFIG = {"n_conv_layers": 2, "initial_filters": 16, "batch_size": 256, "batch_norm": False}
SUBSET = 50_000
# the array of the size-independence check: BIG_GB of BIG_SIDE x BIG_SIDE RGB images in X.npy
BIG_GB = 4
BIG_SIDE = 128
WRITE_CHUNK = 2000
GENERATE_GOAL_S = 10.0
RSS_GOAL_MB = 3000.0
RATIO_GOAL = 0.70
WORK = str(Path(tempfile.gettempdir()) / "hpogen-bench-image-scale")


def paths(args) -> tuple[Path, Path, Path]:
    """(image folder, cache folder, bundle folder) under --work."""
    work = Path(args.work)
    return work / f"fake-{args.images}-{args.size}px", work / "cache", work / "bundle"


def write_chunk(job: tuple) -> int:
    """Write images start..stop-1 of the folder (class i % 10); seeded, so reruns agree."""
    from PIL import Image

    folder, size, start, stop = job
    offsets = np.random.default_rng(12345).integers(0, 96, (CLASSES, 3), dtype=np.uint8)
    rng = np.random.default_rng(start)
    for i in range(start, stop):
        label = i % CLASSES
        pixels = rng.integers(0, 160, (size, size, 3), dtype=np.uint8) + offsets[label]
        Image.fromarray(pixels).save(os.path.join(folder, f"class_{label}", f"{i:07d}.png"))
    return stop - start


def count_images(folder: Path) -> int:
    subs = folder.iterdir() if folder.is_dir() else ()
    return sum(len(os.listdir(sub)) for sub in subs if sub.is_dir())


def write_folder(folder: Path, n: int, size: int) -> float:
    """Seconds spent writing n PNGs into folder, in processes (0 when it already holds n)."""
    if count_images(folder) == n:
        return 0.0
    shutil.rmtree(folder, ignore_errors=True)
    for label in range(CLASSES):
        (folder / f"class_{label}").mkdir(parents=True)
    jobs = [(str(folder), size, s, min(s + WRITE_CHUNK, n)) for s in range(0, n, WRITE_CHUNK)]
    start = time.perf_counter()
    with Pool(os.cpu_count()) as pool:
        for _ in pool.imap_unordered(write_chunk, jobs):
            pass
    return time.perf_counter() - start


def child_generate(args) -> dict:  # each child returns what main prints as one JSON line
    """The hpogen CLI in its own process; this wrapper's only child, so RUSAGE_CHILDREN is its."""
    folder, _, bundle = paths(args)
    command = [sys.executable, "-m", "hpogen", "generate", "--data", str(folder)]
    start = time.perf_counter()
    done = subprocess.run([*command, "--out", str(bundle), "--force"], capture_output=True)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(done.stderr.decode()[-3000:])
    return {"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def child_read(args) -> dict:
    from hpogen.dataset.bundle_images import read_image_folder

    folder, cache, _ = paths(args)
    start = time.perf_counter()
    data = read_image_folder(folder, (3, args.size, args.size), cache_dir=cache)
    return {"seconds": time.perf_counter() - start, "rows": len(data["X"]), "notes": data["notes"]}


def write_big_array(path: Path, n: int) -> None:
    """X.npy of n uint8 3x128x128 images (noise plus a colour offset per class) and y.npy."""
    if (path / "y.npy").is_file():
        return
    path.mkdir(parents=True, exist_ok=True)
    X = np.lib.format.open_memmap(path / "X.npy", "w+", np.uint8, (n, 3, BIG_SIDE, BIG_SIDE))
    y = np.arange(n) % CLASSES
    offsets = np.random.default_rng(12345).integers(0, 96, (CLASSES, 3, 1, 1), dtype=np.uint8)
    rng = np.random.default_rng(0)
    for start in range(0, n, 2000):
        rows = slice(start, min(start + 2000, n))
        X[rows] = rng.integers(0, 160, X[rows].shape, dtype=np.uint8) + offsets[y[rows]]
    X.flush()
    np.save(path / "y.npy", y)


def child_train(args) -> dict:
    """The generated bundle's train() for one epoch, as `hpogen run` calls it: the folder read
    through the bundle's own readers (the cache, split into row views), then streamed from the
    cache or, with --in-memory, held as one float32 tensor. --big: a .npy folder of BIG_GB of
    128x128 images instead, resized to the bundle's size batch by batch."""
    import torch

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    folder, cache, bundle = paths(args)
    sys.path.insert(0, str(bundle))
    import bundle_data
    import train

    if args.big:
        data = bundle_data.read_data(Path(args.work) / "big", "image")
    else:
        data = bundle_data.read_data(folder, "image", image_shape=(3, args.size, args.size), cache_dir=cache)
    if args.limit:
        data = {**data, "X": data["X"][: args.limit], "y": data["y"][: args.limit]}
    kept, test = bundle_data.hold_out(data, "classification", 0, 0.2)
    dataset = {**kept, "X_test": test["X"], "y_test": test["y"], "stream_images": not args.in_memory}
    start = time.perf_counter()
    metrics = train.train(CONFIG, dataset, 0, budget=1)
    seconds = time.perf_counter() - start
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    split = ", ".join(
        f"{k} {int(status[k].split()[0]) / 1024:,.0f} MB" for k in ("RssAnon", "RssFile")
    )
    rows = len(kept["y"]) + len(test["y"])
    return {"seconds": seconds, "rows": rows, "end_rss": split, "accuracy": metrics["accuracy"]}


CHILDREN = {"generate": child_generate, "read": child_read, "epoch": child_train}


def run_child(args, step: str, *extra: str) -> dict:
    command = [sys.executable, __file__, "--child", step, "--work", str(args.work)]
    command += ["--images", str(args.images), "--size", str(args.size), *extra]
    command += ["--torch-threads", str(args.torch_threads)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"step {step} {' '.join(extra)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.splitlines()[-1])
    result.setdefault("wall", wall)
    result["ips"] = result["rows"] / result["seconds"] if "rows" in result else None
    return result


def row(step: str, result: dict, goal: str = "", met: bool | None = None) -> tuple:
    ips = f"{result['ips']:,.0f}" if result["ips"] else "-"
    verdict = "-" if met is None else ("yes" if met else "NO")
    return step, f"{result['wall']:.2f}", ips, f"{result['rss_mb']:,.0f}", goal, verdict


def measure(args, n: int) -> tuple[list, dict]:
    """Table rows, and the results by step."""
    shutil.rmtree(paths(args)[1], ignore_errors=True)  # the build must decode
    sub, r = min(SUBSET, n), {}
    r["generate"] = run_child(args, "generate")
    r["build"] = run_child(args, "read")
    r["reuse"] = run_child(args, "read")
    r["epoch"] = run_child(args, "epoch")
    r["memory"] = run_child(args, "epoch", "--limit", str(sub), "--in-memory")
    r["cached"] = run_child(args, "epoch", "--limit", str(sub))
    write_big_array(Path(args.work) / "big", int(BIG_GB * 2**30 / (3 * BIG_SIDE**2)))  # here: not measured
    r["big"] = run_child(args, "epoch", "--big")
    r["ratio"] = ratio = r["cached"]["ips"] / r["memory"]["ips"]
    fast_reuse = r["reuse"]["wall"] * 10 < r["build"]["wall"]
    rows = [
        row("generate --data", r["generate"], "< 10 s", r["generate"]["wall"] < GENERATE_GOAL_S),
        row("cache build", r["build"]),
        row("cache reuse", r["reuse"], "10x < build", fast_reuse),
        row(f"epoch, cache, {n}", r["epoch"], "RSS < 3 GB", r["epoch"]["rss_mb"] < RSS_GOAL_MB),
        row(f"epoch, in memory, {sub}", r["memory"]),
        row(f"epoch, cache, {sub}", r["cached"], f">= {RATIO_GOAL} x mem", ratio >= RATIO_GOAL),
        row(f"epoch, {BIG_GB} GB .npy, {r['big']['rows']}", r["big"], "RSS < 3 GB", r["big"]["rss_mb"] < RSS_GOAL_MB),
    ]
    return rows, r


def report(rows: list, r: dict, cache: Path) -> None:
    head = ("step", "wall s", "images/s", "peak RSS MB", "goal", "met?")
    widths = [max(len(str(line[i])) for line in [head, *rows]) for i in range(len(head))]
    for line in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)))
    on_disk = sum(f.stat().st_blocks * 512 for f in cache.rglob("*") if f.is_file())
    print(f"\ncache on disk: {on_disk / 1e6:,.0f} MB; cache/in-memory epoch: {r['ratio']:.2f}")
    print(f"RSS at the end of the full epoch: {r['epoch']['end_rss']} (maps, torch's libraries); "
          f"of the {BIG_GB} GB array's: {r['big']['end_rss']}")
    accuracy = ", ".join(f"{key} {r[key]['accuracy']:.3f}" for key in ("epoch", "memory", "cached", "big"))
    print(f"hold-out accuracy after the one epoch: {accuracy}")
    for note in r["build"]["notes"]:
        print(f"note: {note}")


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--work", default=WORK)
    parser.add_argument("--keep", action="store_true", help="keep the images, cache and bundle")
    parser.add_argument("--skip-write", action="store_true", help="use the folder already there")
    parser.add_argument("--torch-threads", type=int, default=0, help="0: torch's default")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--in-memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--big", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    if args.child:
        result = CHILDREN[args.child](args)
        result.setdefault("rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return
    started = time.perf_counter()
    folder, cache, bundle = paths(args)
    writing = 0.0 if args.skip_write else write_folder(folder, args.images, args.size)
    if not (n := count_images(folder)):
        sys.exit(f"no images in {folder}")
    threads = args.torch_threads or "default"
    print(f"{n} {args.size}x{args.size} images in {folder}; writing took {writing:.1f} s")
    print(f"{os.cpu_count()} CPUs; torch threads in the epochs: {threads}\n")
    try:
        rows, results = measure(args, n)
        report(rows, results, cache)
        steps = sum(result["wall"] for key, result in results.items() if key != "ratio")
        total = time.perf_counter() - started
        print(f"total: {steps:.1f} s in the measured steps; {total:.1f} s in all with writing")
    finally:
        if not args.keep:
            big = Path(args.work) / "big"
            for path in (cache, bundle, big) if args.skip_write else (folder, cache, bundle, big):
                shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
