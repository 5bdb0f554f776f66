"""DatasetSpec (+ insights) -> Decisions: the one entry to the rules engine."""

from __future__ import annotations

from pathlib import Path

from ..dataset.sources import SpecRequest, resolve
from ..dataset.spec import DatasetSpec
from ..errors import HpogenError
from ..inputs import reads_stdin
from .decisions import Decisions
from .forecasting import decide_forecasting
from .image import decide_image
from .insights import Insights, load_insights
from .tabular import decide_tabular
from .time_series import decide_time_series


def decide(spec: DatasetSpec, insights: Insights | None = None) -> Decisions:
    if spec.type == "image":
        return decide_image(spec, insights)
    if spec.forecasting:
        return decide_forecasting(spec, insights)
    if spec.type == "time_series":
        return decide_time_series(spec, insights)
    return decide_tabular(spec, insights)


def decide_request(request: SpecRequest, insights_file: Path | None = None) -> tuple[Decisions, Insights | None]:
    """Decisions for what the user said on the command line, and the insights they were given."""
    if reads_stdin(request.spec_file) and reads_stdin(insights_file):
        raise HpogenError("only one of --spec and --insights can read standard input ('-')")
    spec, _ = resolve(request)
    insights = load_insights(insights_file) if insights_file is not None else None
    return decide(spec, insights), insights
