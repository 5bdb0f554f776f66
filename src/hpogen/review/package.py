"""The reviewed folder: which files it holds, each read once, and what kind of folder it is.

Three kinds: an experiment package with placeholders (`base`), one without (`derived`), and a
bundle written by `hpogen generate` (`train`: train.py next to configspace.json).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..experiment.layout import PACKAGE_FILES
from .source import PLACEHOLDER, SourceFile

MODES = ("base", "derived", "train")
BUNDLE_FILES = ("train.py", "configspace.json")
CONFIG_FILES = ("config/smoke_test.yaml", "config/full_experiment.yaml")
# never part of a package's code: tool caches, environments, version control, run outputs
SKIPPED_DIRS = {"__pycache__", ".git", ".venv", "venv", ".mypy_cache", ".pytest_cache",
                ".ruff_cache", "node_modules", "results", ".hpogen"}
MAX_LISTED = 2000  # a folder with more entries than this is listed only this far


@dataclass(eq=False)
class ReviewedPackage:
    root: Path
    mode: str
    listing: list[str]  # every file under root (relative, '/'), skipped folders left out
    base: ReviewedPackage | None = None
    _files: dict[str, SourceFile] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, root: Path, mode: str | None = None, base: ReviewedPackage | None = None) -> ReviewedPackage:
        listing = list_files(root)
        package = cls(root, "base", listing, base)
        package.mode = mode or package.detect_mode()
        return package

    def detect_mode(self) -> str:
        """train for a bundle; base while a config still holds a placeholder (its runs are not
        written yet) or, when no config says, while preprocess.py or model.py holds one."""
        if all(name in self.listing for name in BUNDLE_FILES) and "src/train.py" not in self.listing:
            return "train"
        configs = [self.file(name) for name in CONFIG_FILES]
        readable = [c for c in configs if c is not None and c.text]
        if any(PLACEHOLDER.search(c.text) for c in readable):
            return "base"
        if readable and all(c.yaml_data is not None for c in readable):
            return "derived"  # written runs: a token left in the code is a dataset name or a leftover
        for name in ("src/preprocess.py", "src/model.py"):
            source = self.file(name)
            if source is not None and source.text and PLACEHOLDER.search(source.text):
                return "base"
        return "derived"

    def file(self, relative: str) -> SourceFile | None:
        """The file at relative (read once), or None when the folder has no such file."""
        if relative not in self.listing:
            return None
        if relative not in self._files:
            self._files[relative] = SourceFile.read(self.root, relative)
        return self._files[relative]

    def python_files(self) -> list[SourceFile]:
        """Every Python file the rules read: the five modules, or the bundle's train.py."""
        names = BUNDLE_FILES[:1] if self.mode == "train" else PACKAGE_FILES[:5]
        return [f for f in (self.file(n) for n in names) if f is not None]

    def config_space_names(self) -> set[str] | None:
        """Hyperparameter names of the bundle's configspace.json, None when it is unreadable."""
        source = self.file("configspace.json")
        if source is None or source.text is None:
            return None
        try:
            space = json.loads(source.text)
            return {str(h["name"]) for h in space["hyperparameters"]}
        except (ValueError, KeyError, TypeError, RecursionError):
            return None


    def placeholders(self, names) -> Iterator[tuple[str, int, int, str]]:
        """(file, row, column, token) of every placeholder token on the lines of the named files."""
        for relative in names:
            source = self.file(relative)
            for row, line in enumerate(source.lines if source is not None else [], 1):
                found = PLACEHOLDER.search(line)
                if found:
                    yield relative, row, found.start() + 1, found.group()

    def dependencies(self) -> tuple[SourceFile, list] | None:
        """pyproject.toml and its [project].dependencies, when that is a list."""
        source = self.file("pyproject.toml")
        project = source.toml.get("project") if source is not None and source.toml else None
        dependencies = project.get("dependencies") if isinstance(project, dict) else None
        return (source, dependencies) if isinstance(dependencies, list) else None


def list_files(root: Path) -> list[str]:
    """Relative paths of the files under root, without following links out of it."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        relative = Path(folder).relative_to(root)
        for name in sorted(files):
            found.append((relative / name).as_posix())
            if len(found) >= MAX_LISTED:
                return found
        # a linked folder is listed as a file, so its link can be reported, never followed
        found.extend((relative / d).as_posix() for d in dirs if (Path(folder) / d).is_symlink())
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
    return found
