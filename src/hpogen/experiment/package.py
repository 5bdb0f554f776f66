"""`hpogen basecode`: the 8 files of an experiment package for a method, with placeholders where
only the dataset and the model belong.

The package is rendered from templates/experiment/ (core modules plus the family's part) and
written whole or not at all. Its pyproject.toml lists exactly the third-party modules its files
import, read from their syntax trees.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import HpogenError
from ..formatting import format_tree, template_source
from ..outdir import staged_folder, write_files
from ..pyimports import third_party_imports
from ..tables import table
from .assemble import Module, compose_modules, insert_before
from .configs import CONFIG_FILES, base_config_text
from .families import change_rules, family, family_template
from .method import MethodSpec
from .reading import MethodReading, Placeholder
from .splice import Ref, Statement, fill, statements

PLACEHOLDERS = ("DATASET_PLACEHOLDER", "MODEL_PLACEHOLDER", "SPECIFIC_CONFIG_PLACEHOLDER")


def experiment_description(spec: MethodSpec, reading: MethodReading) -> dict[str, Any]:
    """What train.py prints first: the method in a few lines and what the package does with it."""
    method = " ".join(spec.methods.split())
    return {
        "family": reading.family,
        "experiment": family(reading.family)["title"],
        "changes": [c.name for c in reading.changes],
        "method": method if len(method) <= 400 else method[:397] + "...",
        "notes": list(reading.notes),
    }


def _quoted_comment(placeholder: Placeholder) -> list[str]:
    """Comment lines above a METHOD_PLACEHOLDER function: what to write and the method's own words."""
    lines = [f"PLACEHOLDER: METHOD_PLACEHOLDER - the method's own change at the {placeholder.hook} hook is not in",
             "hpogen's catalogue; write it here (hpogen derive refuses this package until you do).",
             "The method describes it as:"]
    for sentence in placeholder.quote:
        lines += ["  " + part for part in textwrap.wrap(f'"{sentence}"', 96)]
    return lines


def _placeholder_part(reading: MethodReading, placeholder: Placeholder) -> tuple[list[Statement], str]:
    """The family's placeholder function for a hook, with the quoting comment; (statements, function name)."""
    body, _ = statements(template_source(family_template(reading.family, f"placeholder/{placeholder.hook}.py")))
    position = next(i for i, s in enumerate(body) if s.name is not None and s.code.startswith("def "))
    body[position] = body[position].with_comments(_quoted_comment(placeholder))
    return body, body[position].name


def family_train_module(reading: MethodReading) -> Module:
    """The family's train part with the method's changes (or its placeholder) put in and registered."""
    catalogue = change_rules()
    parts, registry = [], {}
    for change in reading.changes:
        rules = catalogue[change.name]
        parts.append(statements(template_source(family_template(reading.family, f"changes/{change.name}.py")))[0])
        registry.setdefault(rules["hook"], {})[change.name] = Ref(rules["function"])
    for placeholder in reading.placeholders:
        part, function = _placeholder_part(reading, placeholder)
        parts.append(part)
        registry.setdefault(placeholder.hook, {})["method"] = Ref(function)
    base = fill(template_source(family_template(reading.family, "train.py")),
                not_implemented=list(reading.not_implemented), changes=registry)
    return insert_before(base, parts, "CHANGES")


def python_files(spec: MethodSpec, reading: MethodReading) -> dict[str, str]:
    """The five modules, filled and composed but not yet formatted."""
    train = compose_modules(
        fill(template_source("experiment/train_core.py"), experiment_description=experiment_description(spec, reading)),
        family_train_module(reading),
    )
    evaluate = compose_modules(template_source("experiment/evaluate_core.py"),
                               template_source(family_template(reading.family, "evaluate.py")))
    return {
        "src/train.py": train,
        "src/evaluate.py": evaluate,
        "src/preprocess.py": template_source("experiment/preprocess.py"),
        "src/model.py": template_source("experiment/model.py"),
        "src/main.py": template_source("experiment/main.py"),
    }


def pyproject_text(name: str, description: str, sources: dict[str, str]) -> str:
    """PEP 621 metadata whose dependencies list (PEP 508 strings) covers every third-party import."""
    requirements = table("experiment_packages")["requirements"]
    imported = third_party_imports(sources.values(), local={"src"})
    missing = [module for module in imported if module not in requirements]
    if missing:
        raise HpogenError(f"no requirement known for imported module(s) {', '.join(missing)}")
    dependencies = sorted(requirements[m] for m in imported)
    lines = [
        "[project]",
        f"name = {json.dumps(name)}",
        'version = "0.1.0"',
        f"description = {json.dumps(description)}",
        'requires-python = ">=3.10"',
        "dependencies = [",
        *(f"    {json.dumps(d)}," for d in dependencies),
        "]",
        "",
        "[build-system]",
        'requires = ["setuptools>=68"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[tool.setuptools]",
        'packages = ["src"]',
        "",
    ]
    return "\n".join(lines)


def finish_package(folder: Path, name: str, description: str) -> None:
    """Format the package's Python files, then write the pyproject.toml that their imports need."""
    format_tree(folder)
    sources = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py"))}
    (folder / "pyproject.toml").write_text(pyproject_text(name, description, sources), encoding="utf-8")


def write_basecode(spec: MethodSpec, reading: MethodReading, out: Path, force: bool = False,
                   check: Callable[[Path], None] | None = None) -> Path:
    """Write the base package into out (atomically); check (the review) sees it before it lands."""
    files = python_files(spec, reading)
    for scale, path in CONFIG_FILES.items():
        files[path] = base_config_text(reading, scale)
    out = out.resolve()
    with staged_folder(out, force) as staging:
        write_files(staging, files)
        finish_package(staging, f"{reading.family}-experiment", _description(reading))
        if check is not None:
            check(staging)
    return out


def _description(reading: MethodReading) -> str:
    title = family(reading.family)["title"]
    missing = ", ".join(reading.not_implemented)
    return f"Experiment package: {title}" + (f" (named but not implemented: {missing})" if missing else "")
