"""MethodSpec: the research method an experiment package is written for (the seed's six keys)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import HpogenError
from ..inputs import read_text

METHOD_KEYS = (
    "Open Problems",
    "Methods",
    "Experimental Setup",
    "Experimental Code",
    "Expected Result",
    "Expected Conclusion",
)


@dataclass(frozen=True)
class MethodSpec:
    """The method's six texts, strictly validated, plus the optional experimental design."""

    open_problems: str
    methods: str
    experimental_setup: str
    experimental_code: str
    expected_result: str
    expected_conclusion: str
    design: str = ""

    @classmethod
    def from_dict(cls, raw: object, design: str = "", where: str = "method") -> MethodSpec:
        if not isinstance(raw, dict):
            raise HpogenError(f"{where}: expected a JSON object with the keys {', '.join(METHOD_KEYS)}")
        unknown = sorted(set(raw) - set(METHOD_KEYS))
        if unknown:
            raise HpogenError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(METHOD_KEYS)})")
        for key in METHOD_KEYS:
            if key not in raw:
                raise HpogenError(f"{where}: missing key {key!r}")
            if not isinstance(raw[key], str):
                raise HpogenError(f"{where}: {key!r} must be a string, not {type(raw[key]).__name__}")
        if not raw["Methods"].strip():
            raise HpogenError(f"{where}: 'Methods' must not be empty")
        return cls(*(raw[key] for key in METHOD_KEYS), design=design)

    def to_dict(self) -> dict[str, str]:
        return {key: getattr(self, _field(key)) for key in METHOD_KEYS}

    def sections(self) -> dict[str, str]:
        """Every text that facts are read from, by its name."""
        return {**self.to_dict(), **({"Experimental Design": self.design} if self.design else {})}


def _field(key: str) -> str:
    return key.lower().replace(" ", "_")


def load_method(path: Path, design_path: Path | None = None) -> MethodSpec:
    """The MethodSpec in a JSON file (and the design text beside it); one clear error when malformed."""
    text = read_text(path, "method")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HpogenError(f"{path}: malformed method JSON ({exc.msg} at line {exc.lineno})") from None
    design = read_text(design_path, "design") if design_path is not None else ""
    return MethodSpec.from_dict(raw, design, str(path))
