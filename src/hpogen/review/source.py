"""One reviewed file: its text (when it is readable text), and its parsed forms on demand.

Nothing here can raise on what a file holds: a binary, non-UTF-8, oversized or unparseable file
becomes a `problem` (or a parse error) that the rules report as a finding.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pyimports import MAX_TREE_DEPTH, parse_source

MAX_BYTES = 1_000_000  # larger files are not read: no package file needs to be this big
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9_]*PLACEHOLDER\b")


@dataclass(frozen=True)
class ParseError:
    """Where a file stopped parsing (1-based row and column) and why."""

    row: int
    col: int
    message: str


@dataclass(eq=False)
class SourceFile:
    """A file of the reviewed folder; `text` is None when `problem` says why it is unreadable."""

    path: str  # relative to the reviewed folder, with '/'
    text: str | None
    problem: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, root: Path, relative: str) -> SourceFile:
        full = root / relative
        try:
            if full.is_symlink() and not _inside(full, root):
                return cls(relative, None, "is a symbolic link that points outside the package")
            status = full.stat()
            if not stat.S_ISREG(status.st_mode):  # a pipe or device would block or never end
                return cls(relative, None, "is not a regular file")
            size = status.st_size
            if size > MAX_BYTES:
                return cls(relative, None, f"is {size:,} bytes, over the {MAX_BYTES:,}-byte limit")
            data = full.read_bytes()
        except OSError as exc:
            return cls(relative, None, f"cannot be read ({exc.strerror or exc})")
        if b"\x00" in data:
            return cls(relative, None, "is binary, not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return cls(relative, None, f"is not UTF-8 text (byte {exc.start})")
        return cls(relative, text.removeprefix("\ufeff"))

    @property
    def lines(self) -> list[str]:
        """The text's lines, split once (rules index them thousands of times); treat as read-only."""
        if "lines" not in self._cache:
            self._cache["lines"] = [] if self.text is None else self.text.splitlines()
        return self._cache["lines"]

    def line(self, row: int) -> str:
        lines = self.lines
        return lines[row - 1] if 0 < row <= len(lines) else ""

    @property
    def python(self) -> ast.Module | None:
        """The syntax tree, or None when the file is unreadable or does not parse."""
        return self._parsed("python", self._parse_python)[0]

    @property
    def python_error(self) -> ParseError | None:
        return self._parsed("python", self._parse_python)[1]

    @property
    def toml(self) -> dict | None:
        return self._parsed("toml", self._parse_toml)[0]

    @property
    def toml_error(self) -> ParseError | None:
        return self._parsed("toml", self._parse_toml)[1]

    @property
    def yaml_node(self) -> Any:
        """The composed YAML node tree (with positions), or None."""
        return self._parsed("yaml", self._parse_yaml)[0]

    @property
    def yaml_error(self) -> ParseError | None:
        return self._parsed("yaml", self._parse_yaml)[1]

    @property
    def yaml_data(self) -> Any:
        """The loaded YAML document (safe loader), or None when it does not load."""
        return self._parsed("yaml_data", self._load_yaml)[0]

    def _parsed(self, kind: str, parse) -> tuple[Any, ParseError | None]:
        if kind not in self._cache:
            self._cache[kind] = (None, None) if self.text is None else parse(self.text)
        return self._cache[kind]

    @staticmethod
    def _parse_python(text: str) -> tuple[Any, ParseError | None]:
        try:
            tree, nodes = parse_source(text)  # shared with the generator that just wrote the file
        except SyntaxError as exc:
            return None, ParseError(exc.lineno or 1, exc.offset or 1, exc.msg)
        except (ValueError, RecursionError, MemoryError) as exc:
            return None, ParseError(1, 1, str(exc) or type(exc).__name__)
        if nodes is None:
            return None, ParseError(1, 1, f"nested more than {MAX_TREE_DEPTH} levels deep")
        from .astutil import remember_walk

        remember_walk(tree, list(nodes))  # the rules' walks of the whole tree start from this list
        return tree, None

    @staticmethod
    def _parse_toml(text: str) -> tuple[Any, ParseError | None]:
        try:
            return tomllib.loads(text), None
        except tomllib.TOMLDecodeError as exc:
            row, col = _toml_position(str(exc))
            return None, ParseError(row, col, str(exc).split(" (at ")[0])
        except RecursionError:
            return None, ParseError(1, 1, "nested too deeply")

    @staticmethod
    def _parse_yaml(text: str) -> tuple[Any, ParseError | None]:
        import yaml

        loader = _safe_loader()
        try:
            return yaml.compose(io.StringIO(text), Loader=loader), None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            return None, ParseError(*where, f"{exc.problem or exc.context}")
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            return None, ParseError(1, 1, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    def _load_yaml(self, text: str) -> tuple[Any, ParseError | None]:
        import yaml

        if self.yaml_node is None:
            return None, self.yaml_error
        try:  # constructed from the composed nodes: the text is parsed once
            return yaml.constructor.SafeConstructor().construct_document(self.yaml_node), None
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            return None, ParseError(1, 1, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


@functools.cache
def _safe_loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _toml_position(message: str) -> tuple[int, int]:
    found = re.search(r"line (\d+), column (\d+)", message)
    return (int(found.group(1)), int(found.group(2))) if found else (1, 1)
