"""run_hpo.py: the bundle's standalone SMAC driver (smac, ConfigSpace, torch, numpy, scikit-learn only)."""

from __future__ import annotations

from ..codegen import fill_template
from ..dataset.embedded import embedded_names
from ..decide.decisions import Decisions
from ..tables import table


def render_driver(d: Decisions) -> str:
    """Fill templates/bundle/run_hpo.py with the bundle's embedded dataset, image shape and task."""
    spec = d.spec
    embedded = spec.name if spec.name in embedded_names() else None
    return fill_template(
        "bundle/run_hpo.py",
        embedded_dataset=embedded,
        embedded_loader=table("embedded")[embedded]["loader"] if embedded else None,
        image_shape=spec.image_shape,
        task=spec.task,
    )
