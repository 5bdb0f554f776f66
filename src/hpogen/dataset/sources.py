"""Resolve a DatasetSpec from one source: flags, a spec file, a data file, or an embedded set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HpogenError
from .bundle_data import is_array_folder, is_series_file
from .embedded import default_dataset, embedded_facts
from .facts import facts_from_data
from .loaded import LoadedData
from .loaders import load_path
from .spec import DATASET_TYPES, DatasetSpec, load_spec_file


@dataclass
class SpecRequest:
    """What the user said on the command line about their dataset."""

    dataset_type: str | None = None
    spec_file: Path | None = None
    data: Path | None = None
    dataset: str | None = None
    target: str | None = None
    # spec keys given as flags; None means not given
    facts: dict[str, Any] | None = None

    @classmethod
    def from_flags(cls, dataset_type=None, spec=None, data=None, dataset=None, target=None, known_covariates=None,
                   past_covariates=None, **facts) -> SpecRequest:
        """The request for the command-line options of plan and generate (facts as spec keys)."""
        facts["image_shape"] = parse_shape(facts.get("image_shape"))
        facts["covariates"] = parse_covariates(known_covariates, past_covariates)
        return cls(dataset_type, spec, data, dataset, target, facts)


def parse_covariates(known: str | None, past: str | None) -> dict[str, str] | None:
    """--known-covariates A,B --past-covariates C -> {"A": "known", "B": "known", "C": "past"}."""
    if known is None and past is None:
        return None
    covariates: dict[str, str] = {}
    for text, kind in ((known, "known"), (past, "past")):
        for name in (text or "").split(","):
            name = name.strip()
            if not name:
                continue
            if name in covariates:
                raise HpogenError(f"covariate {name!r} is named twice (known or past, not both)")
            covariates[name] = kind
    return covariates


def parse_shape(text: str | None) -> list[int] | None:
    """'3,32,32' or '3x32x32' -> [3, 32, 32]."""
    if text is None:
        return None
    parts = text.replace("x", ",").replace("X", ",").split(",")
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise HpogenError(f"--image-shape must look like C,H,W (e.g. 3,32,32), not {text!r}") from None


def resolve(request: SpecRequest) -> tuple[DatasetSpec, LoadedData | None]:
    """The spec (and loaded data, if a data file was read); flags override the source's facts."""
    if request.dataset_type is not None and request.dataset_type not in DATASET_TYPES:
        raise HpogenError(f"--dataset-type must be one of {', '.join(DATASET_TYPES)}, not {request.dataset_type!r}")
    sources = [s for s in (request.spec_file, request.data, request.dataset) if s is not None]
    if len(sources) > 1:
        raise HpogenError("give only one of --spec, --data and --dataset")
    flags = {k: v for k, v in (request.facts or {}).items() if v is not None}
    loaded = None
    if request.spec_file is not None:
        base = load_spec_file(request.spec_file)
        if not isinstance(base, dict):
            raise HpogenError(f"{request.spec_file}: expected an object of dataset facts")
    elif request.data is not None and flags.get("task") == "forecasting":
        from .forecast_facts import forecast_file_facts

        base = forecast_file_facts(request.data, request.target, flags)
    elif request.data is not None and (request.dataset_type == "time_series" or _is_series(request.data)):
        from .series_facts import series_facts

        base = series_facts(request.data, flags.get("task"))
    elif request.data is not None and request.data.is_dir() and not is_array_folder(request.data):
        base = folder_facts(request.data, flags.get("image_shape"))
    elif request.data is not None:
        shape = flags.get("image_shape")
        loaded = load_path(request.data, request.dataset_type, request.target, tuple(shape) if shape else None)
        base = facts_from_data(loaded, flags.get("task"))
    elif request.dataset is not None:
        base = embedded_facts(request.dataset)
    elif _states_facts(flags):
        base = {}
    else:
        if request.dataset_type is None:
            raise HpogenError("say what the data is: --dataset-type image|tabular|time_series, --spec, --data or --dataset")
        base = embedded_facts(default_dataset(request.dataset_type, flags.get("task")))
    merged = {**base, **flags}
    if request.dataset_type is not None:
        if base.get("type") not in (None, request.dataset_type):
            raise HpogenError(f"the dataset is {base['type']} data, but --dataset-type is {request.dataset_type}")
        merged["type"] = request.dataset_type
    return DatasetSpec.from_dict(merged), loaded


def folder_facts(path: Path, image_shape: list[int] | None) -> dict[str, Any]:
    """A folder of images described from its file names and a sample of headers (no decoding)."""
    from . import bundle_images
    from .loaders import reading, warn

    facts = reading(bundle_images.image_folder_facts, path, image_shape)
    warn(facts)
    if facts["n_classes"] < 2:
        raise HpogenError(f"{path}: only one class folder holds images: nothing to classify")
    return {"name": path.resolve().name, "type": "image", "task": "classification",
            **{key: facts[key] for key in ("n_samples", "n_classes", "has_test_split")},
            "image_shape": list(facts["image_shape"])}


def _is_series(path: Path) -> bool:
    if not path.exists():
        raise HpogenError(f"data file not found: {path}")
    return is_series_file(path)


def _states_facts(flags: dict[str, Any]) -> bool:
    return any(key in flags for key in ("n_samples", "n_classes", "image_shape", "n_features", "n_channels", "max_length"))
