"""Reading a folder of images for a bundle: class subfolders (or train/ and test/ parts of them)
listed without opening a file, facts from a seeded sample of headers, and the images decoded once,
in threads, into a uint8 cache that later reads map instead of decoding again.

Like bundle_data.py, which uses it, hpogen reads image folders with this module and copies it
unchanged into every bundle; it must never import hpogen. It needs numpy and Pillow.
"""

import math
import os
from collections import Counter
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
GRAYSCALE_MODES = ("L", "1", "I;16", "I", "F")
# A folder with these two subfolders, each of class subfolders, brings its own test split.
SPLIT_FOLDERS = ("train", "test")
# Image headers read, from a seeded sample, to learn a folder's size and mode (nothing decoded).
IMAGE_SAMPLE = 512
# Files named in a note, per problem.
NAMED = 3
# Images decoded per progress step.
DECODE_CHUNK = 1024
# Bumped when the layout of a decoded-image cache changes.
CACHE_FORMAT = 1


class DataError(ValueError):
    """Data that cannot be read, or does not fit the bundle: a one-line message."""


def read_image_folder(path, image_shape=None, cache_dir=None, progress=None) -> dict:
    """uint8 images (N, C, H, W) of a folder of class subfolders (or of train/ and test/ parts);
    labels are the class folder names.

    Every image is decoded at `image_shape` (C, H, W): grayscale for 1 channel, RGB for 3, resized
    to H x W; without it, at the folder's own shape (folder_shape of a sample). With `cache_dir`
    the images are decoded once into a uint8 file there, keyed by the files' names, sizes and
    times and the shape, and read memory-mapped; a later read of the same folder reuses it.
    Files that cannot be decoded are skipped and named in the notes.
    """
    import numpy as np

    listing, files, shape, notes = _survey(path, image_shape)
    if cache_dir is not None:
        images, decoded, key = _cached(listing, files, shape, cache_dir, progress)
    else:
        images = np.empty((len(files), *shape), dtype="uint8")
        decoded, key = _decode_into(images, listing, files, shape, progress), None
        images = images[: len(decoded["codes"])]
    if decoded["skipped"]:
        skipped = decoded["skipped"]
        notes.append(
            f"skipped {_count(len(skipped), 'image')} that cannot be decoded: {_named(skipped)}"
        )
    n_train, y_all = decoded["n_train"], np.asarray(decoded["classes"])[decoded["codes"]]
    data = {
        "X": images[:n_train],
        "y": y_all[:n_train],
        "kind": "image",
        "image_shape": shape,
        "notes": notes,
        "fingerprint": key,
    }
    if listing["test_files"] is not None:
        data.update(X_test=images[n_train:], y_test=y_all[n_train:])
    return data


def _survey(path, image_shape) -> tuple:
    """(listing, every file, the shape to decode at, notes): names and sampled headers only."""
    listing = list_image_folder(path)
    files = listing["files"] + (listing["test_files"] or [])
    headers = sample_headers(files)
    shape = tuple(int(v) for v in image_shape) if image_shape else folder_shape(headers)
    return listing, files, shape, listing["notes"] + header_notes(headers, shape)


def _decode_into(images, listing, files, shape, progress) -> dict:
    """Decode every file into its row of `images`, then move the decodable rows up in order.

    Returns their classes, label codes and number of training rows, and the skipped files.
    """
    failed = set(decode_images(files, shape, images, progress))
    keep = [row for row in range(len(files)) if row not in failed]
    for target, row in enumerate(keep):
        if target != row:
            images[target] = images[row]
    labels = listing["labels"] + (listing["test_labels"] or [])
    classes = sorted(set(listing["labels"]))
    return {
        "classes": classes,
        "codes": _codes([labels[row] for row in keep], classes),
        "n_train": sum(1 for row in keep if row < len(listing["files"])),
        "skipped": [files[row] for row in sorted(failed)],
    }


def _codes(labels, classes):
    import numpy as np

    index = {name: code for code, name in enumerate(classes)}
    return np.fromiter((index[label] for label in labels), dtype=np.int32, count=len(labels))


def folder_key(files, shape) -> str:
    """A digest of the files' names, sizes and modification times and the decoded shape."""
    import hashlib

    digest = hashlib.sha256(f"{CACHE_FORMAT} {tuple(shape)}\n".encode())
    for file in files:
        stat = os.stat(file)
        digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _cached(listing, files, shape, cache_dir, progress) -> tuple:
    """(images memmap, what _decode_into returned, key) from the cache, built first when it is
    missing."""
    import json

    import numpy as np

    key = folder_key(files, shape)
    where = Path(cache_dir) / key[:24]
    if not (where / "meta.json").is_file():
        _build_cache(listing, files, shape, where, progress)
    decoded = json.loads((where / "meta.json").read_text(encoding="utf-8"))
    decoded["codes"] = np.load(where / "labels.npy")
    n_rows = len(decoded["codes"])
    images = np.memmap(where / "images.u8", dtype="uint8", mode="r", shape=(n_rows, *shape))
    return images, decoded, key


def _build_cache(listing, files, shape, where: Path, progress) -> None:
    """Decode every image once into where/images.u8 (rows of uint8 C x H x W; undecodable files
    dropped), with labels.npy and meta.json; built beside and renamed, so a cache is whole."""
    import json
    import shutil

    import numpy as np

    partial = where.with_name(f"{where.name}.partial-{os.getpid()}")
    partial.mkdir(parents=True, exist_ok=True)
    try:
        images = np.memmap(
            partial / "images.u8", dtype="uint8", mode="w+", shape=(len(files), *shape)
        )
        progress = progress or text_progress("decoding images")
        decoded = _decode_into(images, listing, files, shape, progress)
        images.flush()
        del images
        os.truncate(partial / "images.u8", len(decoded["codes"]) * math.prod(shape))
        np.save(partial / "labels.npy", decoded.pop("codes"))
        meta = {"format": CACHE_FORMAT, "shape": list(shape), **decoded}
        (partial / "meta.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
        try:
            partial.rename(where)
        except OSError:  # another process finished the same cache first
            shutil.rmtree(partial, ignore_errors=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def list_image_folder(path) -> dict:
    """The images of a folder of class subfolders, or of train/ and test/ folders that each hold
    class subfolders (a given test split); only names are read, no file is opened.

    Returns files and labels, test_files and test_labels (None without a test/ part), and notes.
    """
    path = Path(path)
    parts = {p.name.lower(): p for p in _subfolders(path)}
    test = None
    if set(SPLIT_FOLDERS) <= set(parts) and _subfolders(parts["train"]):
        train, notes = _class_files(parts["train"])
        test, test_notes = _class_files(parts["test"])
        unknown = sorted({label for _, label in test} - {label for _, label in train})
        if unknown:
            raise DataError(f"{parts['test']}: classes that train/ lacks: {_named(unknown)}")
        notes += test_notes
    else:
        train, notes = _class_files(path)
    return {
        "files": [file for file, _ in train],
        "labels": [label for _, label in train],
        "test_files": None if test is None else [file for file, _ in test],
        "test_labels": None if test is None else [label for _, label in test],
        "notes": notes,
    }


def _subfolders(path) -> list:
    with os.scandir(path) as entries:
        found = [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")]
    return sorted(found, key=lambda p: p.name)


def _class_files(path) -> tuple:
    """(file, class) of every image of each class subfolder, and a note on empty classes."""
    files, empty = [], []
    for folder in _subfolders(path):
        with os.scandir(folder) as entries:
            names = sorted(
                e.name
                for e in entries
                if e.is_file() and os.path.splitext(e.name)[1].lower() in IMAGE_SUFFIXES
            )
        if not names:
            empty.append(folder.name)
        files += [(os.path.join(folder, name), folder.name) for name in names]
    if not files:
        raise DataError(f"{path}: no images found (expected one subfolder of images per class)")
    notes = []
    if empty:
        notes.append(
            f"{path}: left out {_count(len(empty), 'empty class folder')}: {_named(empty)}"
        )
    return files, notes


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _named(items) -> str:
    items = [str(item) for item in items]
    more = f" and {len(items) - NAMED} more" if len(items) > NAMED else ""
    return ", ".join(items[:NAMED]) + more


def sample_headers(files, seed: int = 0, size: int = IMAGE_SAMPLE) -> dict:
    """Size and mode of a seeded sample of the images, from their headers (no pixel decoded)."""
    import random

    Image = _pillow()
    rows = sorted(random.Random(seed).sample(range(len(files)), min(size, len(files))))
    modes, sizes, unreadable, example = Counter(), Counter(), [], {}
    for row in rows:
        try:
            with Image.open(files[row]) as image:
                modes[image.mode] += 1
                sizes[image.size] += 1
                example.setdefault(image.size, files[row])
        except Exception:  # Pillow raises several types for a corrupt or foreign file
            unreadable.append(files[row])
    if not sizes:
        raise DataError(
            f"none of {len(rows)} sampled images can be read, e.g. {_named(unreadable)}"
        )
    return {
        "checked": len(rows),
        "modes": modes,
        "sizes": sizes,
        "unreadable": unreadable,
        "example": example,
    }


def folder_shape(headers: dict) -> tuple:
    """(C, H, W): RGB unless every sampled image is grayscale, at the commonest sampled size."""
    width, height = headers["sizes"].most_common(1)[0][0]
    return (1 if set(headers["modes"]) <= set(GRAYSCALE_MODES) else 3, height, width)


def header_notes(headers: dict, shape: tuple) -> list:
    """What the sample shows that the user should know: unreadable files, mixed sizes and modes."""
    checked, notes = headers["checked"], []
    if headers["unreadable"]:
        bad = headers["unreadable"]
        notes.append(
            f"{len(bad)} of {_count(checked, 'sampled image')} cannot be read and are "
            f"skipped: {_named(bad)}"
        )
    sizes = headers["sizes"]
    if len(sizes) > 1:
        odd = [
            f"{headers['example'][size]} is {size[0]}x{size[1]}"
            for size, _ in sizes.most_common()[1:]
        ]
        notes.append(
            f"image sizes differ ({len(sizes)} sizes among {checked} sampled; {_named(odd)}): "
            f"every image is resized to {shape[2]}x{shape[1]}"
        )
    if len(headers["modes"]) > 1:
        counts = ", ".join(f"{mode}: {n}" for mode, n in sorted(headers["modes"].items()))
        read_as = "grayscale" if shape[0] == 1 else "RGB"
        notes.append(
            f"image modes differ ({counts} of {checked} sampled): all are read as {read_as}"
        )
    return notes


def image_folder_facts(path, image_shape=None) -> dict:
    """A folder's facts from its file names and a sample of headers: nothing is decoded."""
    listing, _, shape, notes = _survey(path, image_shape)
    return {
        "n_samples": len(listing["files"]),
        "n_classes": len(set(listing["labels"])),
        "image_shape": shape,
        "has_test_split": listing["test_files"] is not None,
        "notes": notes,
    }


def decode_images(files, shape, out, progress=None, workers=None) -> list:
    """Decode files[i] into out[i] as uint8 (C, H, W), in threads; the rows that cannot be decoded.

    Pillow releases the GIL while it decodes and resizes; on small PNGs its Python-side parsing
    holds it, so threads gain less there (about 1.4x on 2 cores, benchmarks/bench_image_scale.py).
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    Image = _pillow()
    channels, height, width = (int(v) for v in shape)
    mode = "L" if channels == 1 else "RGB"

    def decode(row):
        try:
            with Image.open(files[row]) as image:
                image.draft(mode, (width, height))  # JPEG: decode at a reduced scale when it can
                image = image.convert(mode)
                if image.size != (width, height):
                    image = image.resize((width, height))
                out[row] = np.asarray(image).reshape(height, width, channels).transpose(2, 0, 1)
        except Exception:  # a corrupt file is skipped and named, never a traceback
            return row
        return None

    failed, total = [], len(files)
    with ThreadPoolExecutor(workers or min(16, os.cpu_count() or 1)) as pool:
        for start in range(0, total, DECODE_CHUNK):
            rows = range(start, min(start + DECODE_CHUNK, total))
            failed += [row for row in pool.map(decode, rows) if row is not None]
            if progress is not None:
                progress(rows.stop, total)
    return failed


def text_progress(label: str):
    """A progress callback writing one updating line to standard error."""
    import sys
    import time

    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        end = "\n" if done >= total else ""
        if sys.stderr.isatty() or done >= total:
            print(
                f"\r{label}: {done}/{total} images ({rate:,.0f}/s)",
                end=end,
                file=sys.stderr,
                flush=True,
            )

    return show


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise DataError("reading a folder of images needs Pillow: pip install pillow") from None
    return Image
