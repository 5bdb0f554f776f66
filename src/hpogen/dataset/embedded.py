"""The embedded scikit-learn sets: their facts from rules/bundle/embedded.toml, and their data."""

from __future__ import annotations

from typing import Any

from ..errors import HpogenError
from ..tables import table
from .loaded import LoadedData


def embedded_names() -> list[str]:
    return [name for name in table("embedded") if name != "defaults"]


def embedded_facts(name: str) -> dict[str, Any]:
    """Spec facts of an embedded set, from rules/bundle/embedded.toml (no data loaded)."""
    entry = table("embedded").get(name)
    if entry is None or name == "defaults":
        raise HpogenError(f"unknown embedded dataset {name!r} (choose from {', '.join(embedded_names())})")
    facts = {k: v for k, v in entry.items() if k != "loader"}
    return {"name": name, **facts}


def embedded_loader(name: str) -> str:
    """The loader name bundle_data.read_embedded reads an embedded set by."""
    embedded_facts(name)  # refuses an unknown name
    return table("embedded")[name]["loader"]


def default_dataset(dataset_type: str, task: str | None = None) -> str:
    defaults = table("embedded")["defaults"]
    return defaults.get(f"{dataset_type}_{task}", defaults[dataset_type])


def load_embedded(name: str) -> LoadedData:
    """An embedded set's arrays, read as a bundle's run_hpo.py reads them (bundle_data)."""
    from .bundle_data import read_embedded
    from .loaders import as_loaded

    facts = embedded_facts(name)
    if facts.get("task") == "forecasting":
        from .bundle_data import read_embedded_forecast

        return as_loaded({**read_embedded_forecast(table("embedded")[name]["loader"]), "image_shape": None}, name)
    shape = tuple(facts["image_shape"]) if facts["type"] == "image" else None
    return as_loaded(read_embedded(table("embedded")[name]["loader"], shape), name)
