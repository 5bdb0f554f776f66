"""What a bundle needs installed, read from the imports of its rendered files (never a hand-kept
list) through rules/bundle/requirements.toml: requirements.txt, run_hpo.py's docstring and the
modules its pre-flight check looks for all come from here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..pyimports import third_party_imports
from ..tables import table

# the bundle's own modules, imported by name beside each other
LOCAL = frozenset({"train", "config_space", "scenario", "run_hpo", "bundle_data", "bundle_images", "bundle_rows",
                   "bundle_tables", "bundle_series", "bundle_forecast"})
# the data readers every bundle carries (hpogen.dataset's modules of these names, unchanged);
# rules/bundle/requirements.toml's [data_imports] says which of their imports each data type needs
DATA_MODULES = ("bundle_data.py", "bundle_images.py", "bundle_rows.py", "bundle_tables.py", "bundle_series.py",
                "bundle_forecast.py")


@dataclass(frozen=True)
class Requirement:
    module: str  # the import name run_hpo.py checks for
    distribution: str
    version: str
    optional: str = ""  # what needs it, when the bundle runs without it

    @property
    def pin(self) -> str:
        return f"{self.distribution}=={self.version}"


def bundle_requirements(files: dict[str, str], data_type: str) -> tuple[Requirement, ...]:
    """The third-party packages the given files (name: source) import: required ones first,
    then optional, by name. A package one file needs outright is required."""
    rules = table("requirements")
    known, for_data = rules["imports"], rules["data_imports"]
    families = train_families(files.get("train.py", ""))
    needs: dict[str, str] = {}  # import name: what needs it when optional, "" when required
    for name, source in sorted(files.items()):
        for module in third_party_imports([source], LOCAL):
            if module not in known:  # a template imports something the table lacks: an hpogen bug
                raise RuntimeError(f"rules/bundle/requirements.toml has no entry for {module}")
            used_by = rules.get("family_imports", {}).get(module, {}).get("families")
            if name == "train.py" and families is not None and used_by and not families & set(used_by):
                continue  # imported only inside families this bundle's space lacks
            note = known[module].get("optional", "")
            if name in DATA_MODULES and module in for_data:
                if data_type not in for_data[module]["types"]:
                    continue
                note = for_data[module].get("optional", note)
            needs[module] = min(needs.get(module, note), note, key=bool)
    found = [Requirement(module, known[module]["distribution"], known[module]["version"], note)
             for module, note in needs.items()]
    return tuple(sorted(found, key=lambda r: (bool(r.optional), r.distribution.lower())))


def train_families(source: str) -> set[str] | None:
    """The model families of a tabular or time-series train.py (its FIDELITY dict's keys); None for others."""
    if not source:
        return None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "FIDELITY" for t in node.targets):
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:
                return None
    return None


def requirements_txt(requirements: tuple[Requirement, ...]) -> str:
    lines = [
        "# What this bundle's Python files import, pinned to the versions hpogen was tested with.",
        "# Install with: pip install -r requirements.txt",
    ]
    lines += [r.pin for r in requirements if not r.optional]
    optional = [r for r in requirements if r.optional]
    if optional:
        lines.append("# optional: the run works without these")
        lines += [f"{r.pin}  # for {r.optional}" for r in optional]
    return "\n".join(lines) + "\n"


def docstring_lines(requirements: tuple[Requirement, ...]) -> str:
    """The requirements paragraph of run_hpo.py's docstring."""
    required = ", ".join(r.pin for r in requirements if not r.optional)
    text = f"Needs {required} (requirements.txt)."
    for r in requirements:
        if r.optional:
            text += f" Optional: {r.pin} for {r.optional}."
    return text
