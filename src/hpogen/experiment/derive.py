"""`hpogen derive`: fill a base package's placeholders from the catalogue (rules/experiment/catalogue.toml).

preprocess.py gets the dataset's loader, model.py the model, both config files their runs (one
per variation and seed), and pyproject.toml the requirements of the new imports. Every other
file is copied byte for byte. The base is only read, never executed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import HpogenError
from ..formatting import template_source
from ..outdir import staged_folder, write_files
from ..tables import table
from .assemble import replace_definitions
from .configs import CONFIG_FILES, derived_config_text, read_base_config
from .families import family, family_names
from .layout import PACKAGE_FILES
from .package import PLACEHOLDERS, finish_package
from .splice import fill


@dataclass(frozen=True)
class DeriveRequest:
    base: Path
    out: Path
    dataset: str | None = None
    model: str | None = None
    data_root: Path | None = None
    force: bool = False
    check: Callable[[Path, Path], None] | None = None  # (staged package, base): the review


def read_base(base: Path) -> dict[str, str]:
    """The 8 files of a base package, refusing a folder that is not one."""
    if not base.is_dir():
        raise HpogenError(f"base package folder not found: {base}")
    missing = [name for name in PACKAGE_FILES if not (base / name).is_file()]
    if missing:
        raise HpogenError(f"{base} is not an experiment package: {', '.join(missing)} missing")
    files = {}
    for name in PACKAGE_FILES:
        try:
            files[name] = (base / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise HpogenError(f"{base / name}: not UTF-8 text") from None
    if not any(p in files["src/preprocess.py"] + files["src/model.py"] for p in PLACEHOLDERS):
        raise HpogenError(f"{base} has no placeholders left: it is derived already (derive from its base)")
    return files


def choose(kind: str, given: str | None, named: str, experiment: dict) -> str:
    """The catalogue entry to use: the one given, else the one the method names (basecode has
    already put a runnable stand-in there); a model must be one the package's family runs."""
    catalogue = table("catalogue")[kind]
    name = given if given is not None else named
    if name not in catalogue:
        if given is None:
            raise HpogenError(f"the base names no catalogue {kind[:-1]} ({named!r}): pass --{kind[:-1]}")
        raise HpogenError(f"unknown {kind[:-1]} {given!r} (catalogue: {', '.join(catalogue)})")
    family_name = experiment.get("family")
    if kind == "models" and family_name in family_names():
        allowed = family(family_name)["models"]
        if name not in allowed:
            raise HpogenError(f"the {family_name} family runs the models {', '.join(allowed)}, not {name!r}")
    return name


def check_kinds(dataset: str, model: str) -> None:
    """A dataset and a model of the same kind (images or tokens), or one clear error."""
    catalogue = table("catalogue")
    data_kind = catalogue["datasets"][dataset].get("kind", "images")
    model_kind = catalogue["models"][model].get("kind", "images")
    if data_kind != model_kind:
        raise HpogenError(f"the dataset {dataset!r} holds {data_kind} but the model {model!r} reads {model_kind}")


def refuse_method_placeholder(files: dict[str, str], experiment: dict) -> None:
    """derive fills only the dataset, the model and the runs: a method change left as
    METHOD_PLACEHOLDER must be written by hand first."""
    if "METHOD_PLACEHOLDER" not in files["src/train.py"]:
        return
    hooks = ", ".join(experiment.get("placeholders") or ["unknown"])
    raise HpogenError(f"src/train.py still holds METHOD_PLACEHOLDER at the {hooks} hook: the method's own change "
                      "is not in the catalogue, so write it there first (derive fills only the dataset and the model)")


def check_data_root(dataset: str, data_root: Path | None) -> str | None:
    """The data root as the config records it, after checking that it holds the dataset's files."""
    entry = table("catalogue")["datasets"][dataset]
    if data_root is None:
        return None
    if entry.get("embedded"):
        raise HpogenError(f"--data-root does not apply: {dataset} ships with its package")
    missing = [name for name in entry["files"] if not (data_root / name).is_file()]
    if missing:
        raise HpogenError(f"--data-root {data_root} lacks the {dataset} files ({missing[0]} not found)")
    return str(data_root.resolve())


def dataset_entry_source(dataset: str) -> str:
    entry = table("catalogue")["datasets"][dataset]
    template = f"experiment/catalogue/{entry['template']}"
    if entry.get("embedded") or "torchvision_class" not in entry:
        return template_source(template)
    return fill(template_source(template), dataset_name=dataset, image_shape=tuple(entry["image_shape"]),
                         num_classes=int(entry["num_classes"]), torchvision_class=entry["torchvision_class"])


def derived_files(request: DeriveRequest, files: dict[str, str]) -> dict[str, str]:
    where = {scale: str(request.base / name) for scale, name in CONFIG_FILES.items()}
    experiments = {scale: read_base_config(files[name], where[scale]) for scale, name in CONFIG_FILES.items()}
    refuse_method_placeholder(files, experiments["full"])
    dataset = choose("datasets", request.dataset, str(experiments["full"]["method_dataset"]), experiments["full"])
    model = choose("models", request.model, str(experiments["full"]["method_model"]), experiments["full"])
    check_kinds(dataset, model)
    data_root = check_data_root(dataset, request.data_root)
    entry = table("catalogue")["datasets"][dataset]
    smoke_dataset = entry.get("smoke", dataset if entry.get("embedded") else "fakedata")
    model_template = template_source(f"experiment/catalogue/{table('catalogue')['models'][model]['template']}")
    derived = dict(files)
    derived["src/preprocess.py"] = replace_definitions(files["src/preprocess.py"], dataset_entry_source(dataset),
                                                       "DATASET_PLACEHOLDER")
    derived["src/model.py"] = replace_definitions(files["src/model.py"], model_template, "MODEL_PLACEHOLDER")
    for scale, name in CONFIG_FILES.items():
        run_dataset, root = (smoke_dataset, None) if scale == "smoke" else (dataset, data_root)
        derived[name] = derived_config_text(files[name], experiments[scale], run_dataset, model, root, where[scale])
    return derived


def write_derived(request: DeriveRequest) -> Path:
    """Write the derived package into request.out (atomically), its base left untouched."""
    base = request.base.resolve()
    files = read_base(base)
    derived = derived_files(request, files)
    project = tomllib.loads(files["pyproject.toml"]).get("project", {})
    out = request.out.resolve()
    if out == base:
        raise HpogenError("--out must differ from the base package folder")
    with staged_folder(out, request.force) as staging:
        write_files(staging, derived)
        finish_package(staging, project.get("name", "experiment"), project.get("description", ""))
        left = [f"{p.relative_to(staging)}: {name}" for p in staging.rglob("*") if p.is_file()
                for name in PLACEHOLDERS if name in p.read_text(encoding="utf-8")]
        if left:
            raise HpogenError(f"placeholders left after derive: {', '.join(left)}")
        if request.check is not None:
            request.check(staging, base)
    return out
