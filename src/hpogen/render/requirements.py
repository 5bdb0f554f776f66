"""What a bundle needs installed, read from the imports of its rendered files (never a hand-kept
list) through rules/bundle/requirements.toml: requirements.txt, run_hpo.py's docstring and the
modules its pre-flight check looks for all come from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..pyimports import third_party_imports
from ..tables import table

# the bundle's own modules, imported by name beside each other
LOCAL = frozenset({"train", "config_space", "scenario", "run_hpo"})


@dataclass(frozen=True)
class Requirement:
    module: str  # the import name run_hpo.py checks for
    distribution: str
    version: str
    optional: str = ""  # what needs it, when the bundle runs without it

    @property
    def pin(self) -> str:
        return f"{self.distribution}=={self.version}"


def bundle_requirements(sources: list[str]) -> tuple[Requirement, ...]:
    """The third-party packages the given files import: required ones first, then optional, by name."""
    third_party = third_party_imports(sources, LOCAL)
    known = table("requirements")["imports"]
    unknown = [name for name in third_party if name not in known]
    if unknown:  # a template imports something the table does not list: a bug in hpogen
        raise RuntimeError(f"rules/bundle/requirements.toml has no entry for {', '.join(unknown)}")
    found = [Requirement(name, known[name]["distribution"], known[name]["version"], known[name].get("optional", ""))
             for name in third_party]
    return tuple(sorted(found, key=lambda r: (bool(r.optional), r.distribution.lower())))


def requirements_txt(requirements: tuple[Requirement, ...]) -> str:
    lines = [
        "# What this bundle's train.py, run_hpo.py, config_space.py and scenario.py import, pinned to",
        "# the versions hpogen was tested with. Install with: pip install -r requirements.txt",
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
