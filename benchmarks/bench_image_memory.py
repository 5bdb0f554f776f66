"""Host memory of an image bundle's data preparation, per trial, against the float32 size of the data.

Generates a bundle for a 3x32x32, 10-class spec, then in a fresh process runs its train.py's
prepare_data on N uint8 images (the form an image-folder cache hands over) and prints the peak
RSS growth as a multiple of the images' float32 size. Goal: at most 1.5x (one float copy of the
training and validation parts, standardised in place). Before the in-place change it was 3.8x.

Usage: python benchmarks/bench_image_memory.py [--images 40000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import importlib.util, json, resource, sys
import numpy as np, torch
spec = importlib.util.spec_from_file_location("train", sys.argv[1])
train = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train)
n = int(sys.argv[2])
X = np.random.default_rng(0).integers(0, 255, (n, 3, 32, 32), dtype=np.uint8)
y = np.arange(n) % 10
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
train.prepare_data({"X": X, "y": y}, 0, torch.device("cpu"))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"float32_mb": X.size * 4 / 2**20, "growth_mb": (after - before) / 1024}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=40000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        spec = Path(work) / "spec.json"
        spec.write_text(json.dumps({"type": "image", "name": "rgb32", "n_samples": args.images,
                                    "n_classes": 10, "image_shape": [3, 32, 32]}))
        subprocess.run([sys.executable, "-m", "hpogen", "generate", "--spec", str(spec), "--out",
                        str(Path(work) / "bundle")], check=True, capture_output=True)
        out = subprocess.run([sys.executable, "-c", CHILD, str(Path(work) / "bundle" / "train.py"),
                              str(args.images)], check=True, capture_output=True, text=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = figures["growth_mb"] / figures["float32_mb"]
    print(f"images {args.images}  float32 {figures['float32_mb']:.0f} MB  "
          f"peak growth {figures['growth_mb']:.0f} MB  ratio {ratio:.2f}x  goal <= 1.5x  "
          f"{'met' if ratio <= 1.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
