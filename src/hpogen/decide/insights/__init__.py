"""OpenML meta-learning insights: read them in the shapes upstream tools emit, attribute each
setup to a model family, and apply each value only to a hyperparameter of that family.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...inputs import read_text
from .apply import apply_insights
from .payload import Insights, parse_text, parse_value

__all__ = ["Insights", "apply_insights", "load_insights", "parse_insights"]


def load_insights(path: Path) -> Insights:
    """A file (or '-' for standard input) of insights; only an unreadable shape is an error."""
    return parse_text(
        read_text(path, "insights"), "standard input" if str(path) == "-" else str(path)
    )


def parse_insights(raw: Any, where: str = "insights") -> Insights:
    """Insights from a value already in memory: a list of setups or a {name: [values]} map."""
    if isinstance(raw, str):
        return parse_text(raw, where)
    return parse_value(raw, where)
