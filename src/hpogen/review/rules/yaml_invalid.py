from __future__ import annotations

import io
import re

from ..package import CONFIG_FILES, ReviewedPackage
from ..rule import Example, Rule
from ..source import SourceFile
from ..yaml_nodes import kind, walk

TEMPLATE = re.compile(r"\{\{|\{%|<%")
ENTRY = re.compile(r"(- )?[^\s#:'\"][^:#]*:(\s|$)|- ")  # a line that starts a key or a list item
TEMPLATE_HINT = " (the file holds template syntax such as '{{': an unfilled template?)"


def load_error(source: SourceFile) -> tuple[int, int, str] | None:
    """Where and why the file does not compose or load with PyYAML's safe loader, else None."""
    import yaml

    try:
        yaml.load(io.StringIO(source.text or ""), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            mark, problem = exc.context_mark, f"the quote opened here is never closed ({exc.problem})"
        else:
            mark, problem = exc.problem_mark or exc.context_mark, exc.problem or exc.context or "invalid"
        return (mark.line + 1, mark.column + 1, problem) if mark else (1, 1, problem)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return 1, 1, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def swallowing_quote(source: SourceFile) -> tuple[int, int, int] | None:
    """(row, col, swallowed row) of a quoted string that runs on over a line starting a key or
    list item no deeper than its own line: a quote left open that a later quote closed."""
    lines = source.lines
    for _, node in walk(source.yaml_node):
        start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
        if kind(node) != "scalar" or node.style not in ("'", '"') or start is None or end is None:
            continue
        depth = len(lines[start.line]) - len(lines[start.line].lstrip()) if start.line < len(lines) else 0
        for row in range(start.line + 1, min(end.line, len(lines) - 1) + 1):
            stripped = lines[row].lstrip()
            if len(lines[row]) - len(stripped) <= depth and ENTRY.match(stripped):
                return start.line + 1, start.column + 1, row + 1
    return None


class YamlInvalid(Rule):
    """Flags a config file that PyYAML cannot load, or whose quote swallows the next lines.

    ## What it does
    Loads config/smoke_test.yaml and config/full_experiment.yaml with PyYAML's safe loader and
    reports the first error at its line and column, and names template syntax (`{{`, `{%`,
    `<%`) when the file holds it: an unfilled Jinja template is the usual cause. It also
    reports a quote that is never closed, and a quoted string that runs on over the following
    `key:` lines until some later quote closes it.

    ## Why is this bad?
    src/main.py reads both configs with `yaml.safe_load`: a file that does not load stops the
    run at its start, and a quote that swallows lines loads silently without the keys it
    swallowed, so the run uses defaults or fails on a missing key.

    ## Example
    ```yaml
    experiment:
      name: "ohgw-experiment
      seed: 1"
    ```

    ## Use instead
    ```yaml
    experiment:
      name: "ohgw-experiment"
      seed: 1
    ```
    """

    code = "HPG205"
    name = "yaml-invalid"
    message = "{path} does not load as YAML: {problem}"
    fix_title = "Fix the YAML at this position (fill in every template value, close every quote)"
    VALID = [Example({"config/smoke_test.yaml": 'note: "a long line\n  folded: by the dumper"\nruns: X_PLACEHOLDER\n'})]
    INVALID = [
        Example({"config/smoke_test.yaml": "training:\n  learning_rate: {{ lr }}\nruns: RUNS_PLACEHOLDER\n"}),
        Example({"config/full_experiment.yaml": "runs:\n{% for r in runs %}\n- run_id: {{ r }}\n{% endfor %}\n"},
                mode="derived"),
        Example({"config/smoke_test.yaml": 'experiment:\n  name: "ohgw\n  seed: 1\n'}),
        Example({"config/smoke_test.yaml": 'experiment:\n  name: "ohgw\n  seed: 1"\nruns: RUNS_PLACEHOLDER\n'}),
    ]

    def check(self, package: ReviewedPackage):
        for relative in CONFIG_FILES:
            source = package.file(relative)
            if source is None or source.text is None or not source.text.strip():
                continue
            hint = TEMPLATE_HINT if TEMPLATE.search(source.text) else ""
            failed = source.yaml_data is None and load_error(source)
            if failed:
                row, col, problem = failed
                yield self.finding(relative, row, col, path=relative, problem=problem + hint)
            elif (swallowed := swallowing_quote(source)) is not None:
                row, col, line = swallowed
                yield self.finding(relative, row, col, path=relative,
                                   problem=f"the quote opened here is not closed on its line and swallows line {line}")
