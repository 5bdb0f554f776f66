"""Open a bundle for `hpogen run`: check it against its lock, then load its modules by path."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..dataset.spec import DatasetSpec
from ..errors import HpogenError, RunStopped
from ..inputs import first_line
from ..render.lock import LOCK_NAME

REQUIRED_FILES = ("config_space.py", "scenario.py", "train.py")
PYTHON_FILES = (*REQUIRED_FILES, "run_hpo.py")


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: its folder, lock record, dataset spec and the lock's digest."""

    path: Path
    lock: dict[str, Any]
    spec: DatasetSpec
    digest: str

    def module_name(self, stem: str) -> str:
        """A module name no other bundle (or other version of this one) shares."""
        return f"hpogen_bundle_{self.digest[:16]}_{stem}"

    def source(self, filename: str) -> str:
        return (self.path / filename).read_text(encoding="utf-8")


def open_bundle(path: Path) -> Bundle:
    """The bundle at path, refusing a missing folder, a missing lock or any changed file."""
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise HpogenError(f"bundle folder not found: {path}")
    lock_path = path / LOCK_NAME
    if not lock_path.is_file():
        raise HpogenError(
            f"{path} is not an hpogen bundle (no {LOCK_NAME}); make one with hpogen generate"
        )
    raw = lock_path.read_bytes()
    try:
        lock = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HpogenError(f"bundle {path} was modified: {LOCK_NAME} is not valid JSON") from None
    files = lock.get("files") if isinstance(lock, dict) else None
    if not isinstance(files, dict) or not isinstance(lock.get("spec"), dict):
        raise HpogenError(f"bundle {path} was modified: {LOCK_NAME} lacks its files or spec")
    _verify_files(path, files)
    spec = DatasetSpec.from_dict(lock["spec"])
    return Bundle(path, lock, spec, hashlib.sha256(raw).hexdigest())


def _verify_files(path: Path, files: dict[str, Any]) -> None:
    for name in REQUIRED_FILES:
        if name not in files:
            raise HpogenError(f"bundle {path} was modified: {LOCK_NAME} does not list {name}")
    for name, expected in sorted(files.items()):
        if Path(name).name != name or name in (".", ".."):
            raise HpogenError(
                f"bundle {path} was modified: {LOCK_NAME} names a file outside it ({name!r})"
            )
        file = path / name
        if not file.is_file():
            raise HpogenError(f"bundle {path} was modified: {name} is missing")
        if hashlib.sha256(file.read_bytes()).hexdigest() != expected:
            raise HpogenError(f"bundle {path} was modified: {name}")


def load_module(bundle: Bundle, filename: str) -> ModuleType:
    """Import one of the bundle's .py files by path, under the bundle's unique module name."""
    name = bundle.module_name(Path(filename).stem)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, bundle.path / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise RunStopped(f"{bundle.path / filename} fails on import: {type(exc).__name__}: {first_line(exc)}") from None
    except BaseException:
        del sys.modules[name]
        raise
    return module


def check_requirements(bundle: Bundle) -> None:
    """Stop before any work when a package the bundle's files import is not installed."""
    from ..render.requirements import bundle_requirements

    sources = {n: (bundle.path / n).read_text(encoding="utf-8") for n in PYTHON_FILES if (bundle.path / n).is_file()}
    missing = [r.pin for r in bundle_requirements(sources, "forecasting" if bundle.spec.forecasting else bundle.spec.type)
               if not r.optional and not _installed(r.module)]
    if missing:
        raise HpogenError(f"the bundle needs {', '.join(missing)}, not installed here: "
                          f"pip install -r {bundle.path / 'requirements.txt'}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a finder may refuse the name outright
        return False
