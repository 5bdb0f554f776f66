"""Output folders written whole or not at all: filled in a temporary sibling, renamed into place.

Shared by `hpogen generate` (bundles) and `hpogen basecode` / `derive` (experiment packages), so a
failure at any point leaves no half-written folder behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import HpogenError


def check_free(out: Path, force: bool) -> Path:
    """The resolved output folder, refused when it holds files and --force was not given."""
    out = out.resolve()
    if out.exists() and not force and (not out.is_dir() or any(out.iterdir())):
        raise HpogenError(f"output folder {out} exists and is not empty (pass --force to replace it)")
    return out


@contextmanager
def staged_folder(out: Path, force: bool = False) -> Iterator[Path]:
    """A temporary sibling of out to fill; renamed to out when the block ends, removed if it raises."""
    out = check_free(out, force)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
        staging.chmod(0o777 & ~_umask())
    except OSError as exc:
        raise HpogenError(f"cannot write to {parent}: {exc.strerror}") from None
    try:
        yield staging
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write text files under folder by relative path, making their subfolders."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(staging: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
