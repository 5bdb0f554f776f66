from __future__ import annotations

import ast
import re

from .. import astutil
from ..astutil import docstrings
from ..flow import code_strings, string_flow
from ..package import ReviewedPackage
from ..rule import Example, Rule

RASTER = (".png", ".jpg", ".jpeg", ".svg", ".eps", ".gif")
IMAGES = re.compile(r"(^|[/\\])images([/\\]|$)")
GOOD = """import matplotlib.pyplot as plt


def plot(results_dir, condition):
    images = results_dir / "images"
    figure, axis = plt.subplots()
    figure.savefig(images / f"accuracy_{condition}_pair1.pdf")
"""


class FiguresPdf(Rule):
    """Flags figures that are missing, not PDF, outside images/ or badly named.

    ## What it does
    Checks that src/evaluate.py or src/train.py saves figures with `savefig`; that no savefig
    names a .png/.jpg/.jpeg/.svg/.eps/.gif file (or `format="png"`); that the saving module
    builds a path with an `images` folder; and that every literal file name ending in .pdf
    has no spaces or capitals, as in `<topic>[_<condition>][_pairN].pdf`.

    ## Why is this bad?
    The paper step embeds the figures from `{results_dir}/images/` by name and needs vector
    PDFs: a PNG is blurred when scaled, one written beside results.json is never found, and
    a name such as `Accuracy Curve.pdf` breaks LaTeX's \\includegraphics.

    ## Example
    ```python
    plt.savefig(os.path.join(results_dir, "Accuracy Curve.png"))
    ```

    ## Use instead
    ```python
    plt.savefig(results_dir / "images" / "accuracy_curve.pdf")
    ```
    """

    code = "HPG505"
    name = "figures-pdf"
    message = "{problem}"
    fix_title = "Save every figure as {results_dir}/images/<topic>[_<condition>][_pairN].pdf"
    VALID = [Example({"src/evaluate.py": GOOD})]
    INVALID = [Example({"src/evaluate.py": GOOD.replace(".pdf", ".png")}),
               Example({"src/evaluate.py": GOOD.replace('"images"', '"figures"')}),
               Example({"src/evaluate.py": GOOD.replace("accuracy_{condition}", "Accuracy {condition}")}),
               Example({"src/evaluate.py": "import json\n\nprint(json.dumps({}))\n"})]

    def check(self, package: ReviewedPackage):
        trees = {}
        for relative in ("src/evaluate.py", "src/train.py", "src/main.py"):
            source = package.file(relative)
            if source is not None and source.python is not None:
                trees[relative] = source.python
        if not getattr(trees.get("src/evaluate.py"), "body", None):
            return  # other rules report a missing, broken or empty evaluate.py
        saved = False
        has_images = any(IMAGES.search(s.value) for tree in trees.values() for s in code_strings(tree))
        for relative in ("src/evaluate.py", "src/train.py"):
            tree = trees.get(relative)
            flow = None  # built for the first savefig only: most modules have none
            for node in astutil.walk(tree) if tree is not None else []:
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "savefig":
                    flow = string_flow(tree) if flow is None else flow
                    yield from self._savefig(relative, flow, node, not (has_images or saved))
                    saved = True
            skip = _skipped(tree) if tree is not None else set()
            for node in astutil.walk(tree) if tree is not None else []:
                name = None if id(node) in skip else _pdf_name(node)
                if name is not None and re.search(r"\s|[A-Z]", name):
                    yield self.at(relative, node, path=relative, problem=f"figure name {name!r} has "
                                  "spaces or capitals")
        if not saved:
            yield self.finding("src/evaluate.py", 1, 1, path="src/evaluate.py",
                               problem="no module saves a figure (savefig)")

    def _savefig(self, relative, flow, node, report_images: bool):
        """A savefig call's findings: a raster format, and (once) no images/ folder."""
        texts = [s for part in [*node.args, *(k.value for k in node.keywords)]
                 for s in flow.strings(part)]
        bad = [s for s in texts if s.lower().endswith(RASTER) or s.lower() in {e[1:] for e in RASTER}]
        if bad:
            yield self.at(relative, node, path=relative, problem=f"a figure is saved as {bad[0]!r}, "
                          "not PDF")
        if report_images:
            yield self.at(relative, node, path=relative, problem="figures are saved outside an "
                          "images/ folder of the results dir")


def _skipped(tree: ast.AST) -> set[int]:
    """ids of docstrings and of the parts of f-strings (their f-string is checked whole)."""
    parts = {id(v) for n in astutil.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    return parts | docstrings(tree)


def _pdf_name(node) -> str | None:
    """The literal text of a str constant or f-string that ends in .pdf ({} for the holes)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".pdf"):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[-1], ast.Constant) \
            and str(node.values[-1].value).endswith(".pdf"):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None
