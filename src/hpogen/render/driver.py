"""run_hpo.py: the bundle's standalone SMAC driver (no hpogen import; what it needs is in requirements.txt)."""

from __future__ import annotations

import textwrap

from ..codegen import fill_template
from ..dataset.embedded import embedded_names
from ..decide.decisions import Decisions
from ..tables import table
from .requirements import Requirement, docstring_lines

# the template's docstring line that the bundle's requirements replace
REQUIREMENTS_MARK = "Needs: the packages of requirements.txt."


def render_driver(d: Decisions, requirements: tuple[Requirement, ...]) -> str:
    """Fill templates/bundle/run_hpo.py with the bundle's embedded dataset, data facts and requirements."""
    spec = d.spec
    embedded = spec.name if spec.name in embedded_names() else None
    code = fill_template(
        "bundle/run_hpo.py",
        embedded_dataset=embedded,
        embedded_loader=table("embedded")[embedded]["loader"] if embedded else None,
        facts=spec.bundle_facts(),
        required_modules={r.module: r.pin for r in requirements if not r.optional},
    )
    paragraph = "\n".join(textwrap.wrap(docstring_lines(requirements), width=96, break_on_hyphens=False))
    return code.replace(REQUIREMENTS_MARK, paragraph, 1)
