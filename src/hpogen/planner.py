"""DatasetSpec (+ insights) -> Decisions: the one entry to the rules engine."""

from __future__ import annotations

from .decide_image import decide_image
from .decide_tabular import decide_tabular
from .decisions import Decisions
from .insights import Insights
from .spec import DatasetSpec


def decide(spec: DatasetSpec, insights: Insights | None = None) -> Decisions:
    if spec.type == "image":
        return decide_image(spec, insights)
    return decide_tabular(spec, insights)
