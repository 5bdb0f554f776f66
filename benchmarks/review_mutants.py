"""Mutation corpus of `hpogen review`: does each rule catch the defect it exists for?

Every mutant is a golden output of hpogen (an experiment package in base or derived form, or a
bundle's train.py) with exactly one requirement broken by script, labelled with the one rule
code meant to catch it. The edits are text replacements of snippets that must exist in the
golden file (a golden change breaks this script loudly, never silently), file deletions and
additions, byte writes and links. Each mutant is reviewed in process (engine.review) with every
rule enabled; a mutant is "caught by its rule" when the intended code is among the findings and
"caught" when there is any finding at all.

Usage: python benchmarks/review_mutants.py [--code HPG205] [--verbose]
Exit status 1 when fewer than 95% of the mutants are caught by their intended rule.
tests/review/test_mutants.py imports run_corpus() and GOLDEN_CASES from this file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hpogen.review.engine import review

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden"
TARGET_RATE = 0.95
EXPERIMENT = GOLDEN / "experiment"
BUNDLE = GOLDEN / "bundle"
# the rule codes of `hpogen review` the corpus must exercise, each at least once
CODES = (
    "HPG001", "HPG002", "HPG003", "HPG101", "HPG102",
    "HPG201", "HPG202", "HPG203", "HPG204", "HPG205", "HPG206", "HPG207", "HPG208",
    "HPG301", "HPG302", "HPG303", "HPG304", "HPG305", "HPG306", "HPG307",
    "HPG401", "HPG402", "HPG403", "HPG404", "HPG405", "HPG406",
    "HPG501", "HPG502", "HPG503", "HPG504", "HPG505", "HPG601", "HPG701", "HPG702",
    "HPG801", "HPG802", "HPG803",
    "HPG901", "HPG902", "HPG903", "HPG904", "HPG905", "HPG906", "HPG907", "HPG908", "HPG909",
)


def golden_folder(source: str, mode: str) -> tuple[Path, Path | None]:
    """The golden folder a mutant starts from, and the base package a derived one is reviewed
    against. source: an experiment (ohgw, baseline, family_override) or a bundle (digits, ...)."""
    if mode == "train":
        return BUNDLE / source / "expected", None
    expected = EXPERIMENT / source / "expected"
    return expected / mode, (expected / "base" if mode == "derived" else None)


# (name, mode, source) of every unmutated golden, which the tests expect to review clean: each
# experiment's base and derived package (derived against its base; a base left with
# METHOD_PLACEHOLDER, which derive refuses, is not clean by design) and each bundle's train.py
GOLDEN_CASES = [
    *[(f"experiment/{e.name}/{mode}", mode, e.name) for e in sorted(EXPERIMENT.iterdir())
      if (e / "expected" / "derived").is_dir() for mode in ("base", "derived")],
    *[(f"bundle/{b.name}", "train", b.name) for b in sorted(BUNDLE.iterdir())
      if (b / "expected" / "train.py").is_file()],
]


class MutantError(RuntimeError):
    """A mutant cannot be built: its snippet is gone from the golden (update the corpus)."""


# ----------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class Replace:
    """Replace old by new in path; old must occur exactly `count` times."""

    path: str
    old: str
    new: str
    count: int = 1

    def apply(self, folder: Path) -> None:
        text = _read(folder, self.path)
        found = text.count(self.old)
        if found != self.count:
            raise MutantError(f"{self.path}: expected {self.count} x {self.old!r}, found {found}")
        _write(folder, self.path, text.replace(self.old, self.new))


@dataclass(frozen=True)
class Cut:
    """Delete path's text from start (included) up to end (excluded); each occurs once."""

    path: str
    start: str
    end: str

    def apply(self, folder: Path) -> None:
        text = _read(folder, self.path)
        for snippet in (self.start, self.end):
            if text.count(snippet) != 1:
                raise MutantError(f"{self.path}: expected 1 x {snippet!r}, found {text.count(snippet)}")
        begin, stop = text.index(self.start), text.index(self.end)
        if stop < begin:
            raise MutantError(f"{self.path}: {self.end!r} comes before {self.start!r}")
        _write(folder, self.path, text[:begin] + text[stop:])


@dataclass(frozen=True)
class ReplaceTail:
    """Replace everything from marker (which occurs once) to the end of path by new."""

    path: str
    marker: str
    new: str

    def apply(self, folder: Path) -> None:
        text = _read(folder, self.path)
        if text.count(self.marker) != 1:
            raise MutantError(f"{self.path}: expected 1 x {self.marker!r}, found {text.count(self.marker)}")
        _write(folder, self.path, text[: text.index(self.marker)] + self.new)


@dataclass(frozen=True)
class Append:
    """Add text or bytes at the end of an existing file."""

    path: str
    data: str | bytes

    def apply(self, folder: Path) -> None:
        target = folder / self.path
        if not target.is_file():
            raise MutantError(f"{self.path}: no such file to append to")
        extra = self.data.encode("utf-8") if isinstance(self.data, str) else self.data
        target.write_bytes(target.read_bytes() + extra)


@dataclass(frozen=True)
class Write:
    """Create or overwrite a file with text or bytes."""

    path: str
    data: str | bytes

    def apply(self, folder: Path) -> None:
        target = folder / self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(self.data, bytes):
            target.write_bytes(self.data)
        else:
            target.write_text(self.data, encoding="utf-8")


@dataclass(frozen=True)
class CopyFrom:
    """Overwrite path with another golden file (relative to golden/)."""

    path: str
    source: str

    def apply(self, folder: Path) -> None:
        origin = GOLDEN / self.source
        if not origin.is_file():
            raise MutantError(f"golden/{self.source} does not exist")
        shutil.copyfile(origin, folder / self.path)


@dataclass(frozen=True)
class Delete:
    path: str

    def apply(self, folder: Path) -> None:
        target = folder / self.path
        if not target.is_file():
            raise MutantError(f"{self.path}: no such file to delete")
        target.unlink()


@dataclass(frozen=True)
class LinkOutside:
    """Move the file out of the package and leave a symbolic link to it in its place."""

    path: str

    def apply(self, folder: Path) -> None:
        target = folder / self.path
        if not target.is_file():
            raise MutantError(f"{self.path}: no such file to link")
        outside = folder.parent / "outside" / target.name
        outside.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, outside)
        os.symlink(outside, target)


def _read(folder: Path, relative: str) -> str:
    path = folder / relative
    if not path.is_file():
        raise MutantError(f"{relative}: no such file")
    return path.read_text(encoding="utf-8")


def _write(folder: Path, relative: str, text: str) -> None:
    (folder / relative).write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- mutants


@dataclass(frozen=True)
class Mutant:
    name: str
    mode: str  # base, derived or train
    source: str  # experiment or bundle name under golden/
    code: str  # the rule meant to catch it
    why: str  # the requirement it breaks
    edits: tuple

    def build(self, work: Path) -> tuple[Path, Path | None]:
        """A mutated copy of the golden under work; returns it and the base to review against."""
        golden, base = golden_folder(self.source, self.mode)
        folder = work / "package"
        shutil.copytree(golden, folder, symlinks=True)
        for edit in self.edits:
            try:
                edit.apply(folder)
            except MutantError as exc:
                raise MutantError(f"mutant {self.name}: {exc}") from None
        return folder, base


def M(name: str, mode: str, source: str, code: str, why: str, *edits) -> Mutant:
    return Mutant(name, mode, source, code, why, edits)


# snippets shared by several mutants -------------------------------------------------------

PLACEHOLDER_LOADER = (
    "    # PLACEHOLDER: will be replaced with the real loading code of the derived dataset\n"
    '    raise NotImplementedError(f"{DATASET_PLACEHOLDER}: no dataset {name!r} in the base package")\n'
)
OHGW_DEPENDENCIES = (
    'dependencies = [\n    "PyYAML>=6.0",\n    "matplotlib>=3.7",\n    "numpy>=1.24",\n'
    '    "scikit-learn>=1.3",\n    "scipy>=1.10",\n    "torch>=2.2",\n]\n'
)
BASELINE_DERIVED_DEPENDENCIES = (
    'dependencies = [\n    "PyYAML>=6.0",\n    "matplotlib>=3.7",\n    "numpy>=1.24",\n'
    '    "scipy>=1.10",\n    "torch>=2.2",\n    "torchvision>=0.17",\n]\n'
)
BASELINE_DEPENDENCIES = (
    'dependencies = [\n    "PyYAML>=6.0",\n    "matplotlib>=3.7",\n    "numpy>=1.24",\n'
    '    "scipy>=1.10",\n    "torch>=2.2",\n]\n'
)
TEE_THREADS = (
    "    readers = [\n"
    '        threading.Thread(target=_pump, args=(process.stdout, log_dir / "stdout.log", sys.stdout)),\n'
    '        threading.Thread(target=_pump, args=(process.stderr, log_dir / "stderr.log", sys.stderr)),\n'
    "    ]\n"
    "    for reader in readers:\n"
    "        reader.start()\n"
    "    code = process.wait()\n"
    "    for reader in readers:\n"
    "        reader.join()\n"
    "    return code\n"
)
TEE_OPEN_LOGS = (
    '    with open(log_dir / "stdout.log", "w", encoding="utf-8") as out_log, open(\n'
    '        log_dir / "stderr.log", "w", encoding="utf-8"\n'
    "    ) as err_log:\n"
)
TEE_ALTERNATING = TEE_OPEN_LOGS + (
    "        while True:\n"
    "            out_line = process.stdout.readline()\n"
    "            err_line = process.stderr.readline()\n"
    "            if out_line:\n"
    "                out_log.write(out_line)\n"
    "                sys.stdout.write(out_line)\n"
    "            if err_line:\n"
    "                err_log.write(err_line)\n"
    "                sys.stderr.write(err_line)\n"
    "            if not out_line and not err_line:\n"
    "                break\n"
    "    return process.wait()\n"
)
TEE_POLLING = TEE_OPEN_LOGS + (
    "        while process.poll() is None:\n"
    "            line = process.stdout.readline()\n"
    "            out_log.write(line)\n"
    "            sys.stdout.write(line)\n"
    "            line = process.stderr.readline()\n"
    "            err_log.write(line)\n"
    "            sys.stderr.write(line)\n"
    "    return process.returncode\n"
)
TEE_DRAIN_IN_TURN = TEE_OPEN_LOGS + (
    "        for line in process.stdout:\n"
    "            out_log.write(line)\n"
    "            sys.stdout.write(line)\n"
    "        for line in process.stderr:\n"
    "            err_log.write(line)\n"
    "            sys.stderr.write(line)\n"
    "    return process.wait()\n"
)
EVALUATE_AFTER_LOOP = (
    "            return code\n"
    "    command = [\n"
    "        sys.executable,\n"
    '        "-m",\n'
    '        "src.evaluate",\n'
    '        "--results-dir",\n'
    "        str(results_dir),\n"
    '        "--config",\n'
    "        str(config),\n"
    "    ]\n"
    '    return run_logged(command, results_dir / "_evaluate")\n'
)
RUN_FAILED = (
    "        code = run_logged(command, results_dir / run_id)\n"
    "        if code != 0:\n"
    "            print(\n"
    "                f\"error: run {run_id} exited with code {code}; see {results_dir / run_id / 'stderr.log'}\",\n"
    "                file=sys.stderr,\n"
    "            )\n"
    "            return code\n"
)
PUMP_BODY = (
    '    with open(log_path, "w", encoding="utf-8") as log:\n'
    '        for line in iter(pipe.readline, ""):\n'
    "            log.write(line)\n"
    "            log.flush()\n"
    "            stream.write(line)\n"
    "            stream.flush()\n"
)
EVALUATE_PRINT = (
    "    print(\n"
    "        json.dumps(\n"
    '            {"experiment": experiment.get("name"), "runs": len(results), **comparison},\n'
    "            default=float,\n"
    "        )\n"
    "    )\n"
)
LOAD_DATASET_CALL = 'load_dataset(run["dataset"], run.get("data_root"), training.get("subset"), seed)'
TRAIN_SIGNATURE = "def train(cfg, dataset, seed, budget=None, model_dir=None) -> dict:"
PYPROJECT_TORCH = '    "torch>=2.2",\n'


def with_dependency(requirement: str) -> Replace:
    """pyproject.toml with one more requirement (so a new import stays covered)."""
    return Replace("pyproject.toml", PYPROJECT_TORCH, f'    "{requirement}",\n' + PYPROJECT_TORCH)


MUTANTS = [
    # ------------------------------------------------------------------ HPG0: unreadable files
    M("model-latin1-comment", "base", "ohgw", "HPG001", "every file is UTF-8 text",
      Append("src/model.py", "# Sch\xe4tzung der Gewichte\n".encode("latin-1"))),
    M("train-nul-byte", "train", "digits", "HPG001", "train.py is text, not binary",
      Append("train.py", b"\x00\x00")),
    M("full-config-over-1mb", "derived", "baseline", "HPG001", "no file over 1 MB",
      Append("config/full_experiment.yaml", ("# " + "x" * 98 + "\n") * 11_000)),
    M("evaluate-links-outside", "base", "baseline", "HPG001", "no link out of the package",
      LinkOutside("src/evaluate.py")),
    M("evaluate-empty", "base", "baseline", "HPG002", "every module has content",
      Write("src/evaluate.py", "")),
    M("train-blank-lines-only", "train", "breast_cancer", "HPG002", "train.py has content",
      Write("train.py", "\n\n")),
    M("smoke-config-empty", "derived", "ohgw", "HPG002", "every config has content",
      Write("config/smoke_test.yaml", "")),
    M("train-def-missing-colon", "base", "ohgw", "HPG003", "modules parse",
      Replace("src/train.py", "def emit(record: dict) -> None:", "def emit(record: dict) -> None")),
    M("main-unclosed-paren", "derived", "baseline", "HPG003", "modules parse",
      Replace("src/main.py", 'print(f"[{index}/{len(runs)}] {run_id}", flush=True)',
              'print(f"[{index}/{len(runs)}] {run_id}", flush=True')),
    M("train-unclosed-call", "train", "digits", "HPG003", "train.py parses",
      Replace("train.py", "    return float(max(1, int(best_epoch)))\n",
              "    return float(max(1, int(best_epoch))\n")),
    # ------------------------------------------------------------------ HPG1: structure
    M("preprocess-deleted", "base", "ohgw", "HPG101", "all eight files exist",
      Delete("src/preprocess.py")),
    M("full-config-deleted", "derived", "family_override", "HPG101", "all eight files exist",
      Delete("config/full_experiment.yaml")),
    M("configspace-deleted", "train", "digits", "HPG101", "a bundle has configspace.json",
      Delete("configspace.json")),
    M("extra-utils-module", "base", "ohgw", "HPG102", "exactly the five modules",
      Write("src/utils.py", "def set_seed(seed: int) -> None:\n    import random\n\n    random.seed(seed)\n")),
    M("extra-config-file", "derived", "baseline", "HPG102", "exactly the two configs",
      Write("config/sweep.yaml", "sweep:\n  learning_rate: [0.01, 0.05, 0.1]\n")),
    M("extra-plot-script", "base", "family_override", "HPG102", "no extra .py anywhere",
      Write("scripts/plot_results.py", "import sys\n\nprint(sys.argv)\n")),
    # ------------------------------------------------------------------ HPG2: pyproject
    M("pyproject-unquoted-name", "base", "ohgw", "HPG201", "pyproject.toml parses",
      Replace("pyproject.toml", 'name = "hpo_scheduler-experiment"', "name = hpo_scheduler-experiment")),
    M("pyproject-no-project-table", "derived", "ohgw", "HPG201", "pyproject.toml has [project]",
      Replace("pyproject.toml", "[project]\n", "[tool.experiment]\n")),
    M("pyproject-no-name", "base", "baseline", "HPG201", "[project] has a name",
      Replace("pyproject.toml", 'name = "baseline-experiment"\n', "")),
    M("dependencies-as-table", "base", "ohgw", "HPG202", "dependencies is a list of strings",
      Replace("pyproject.toml", OHGW_DEPENDENCIES,
              '\n[project.dependencies]\nPyYAML = ">=6.0"\nmatplotlib = ">=3.7"\nnumpy = ">=1.24"\n'
              'scipy = ">=1.10"\ntorch = ">=2.2"\n')),
    M("dependencies-as-table-derived", "derived", "baseline", "HPG202", "dependencies is a list",
      Replace("pyproject.toml", BASELINE_DERIVED_DEPENDENCIES,
              '\n[project.dependencies]\nPyYAML = ">=6.0"\nmatplotlib = ">=3.7"\nnumpy = ">=1.24"\n'
              'torch = ">=2.2"\ntorchvision = ">=0.17"\n')),
    M("dependency-inline-table", "derived", "ohgw", "HPG202", "dependencies are strings",
      Replace("pyproject.toml", PYPROJECT_TORCH, '    { name = "torch", version = ">=2.2" },\n')),
    M("dependencies-absent", "base", "baseline", "HPG202", "dependencies are declared",
      Replace("pyproject.toml", BASELINE_DEPENDENCIES, "")),
    M("requirement-bad-operator", "base", "ohgw", "HPG203", "requirements are PEP 508",
      Replace("pyproject.toml", '"numpy>=1.24",', '"numpy => 1.24",')),
    M("requirement-with-note", "derived", "family_override", "HPG203", "requirements are PEP 508",
      Replace("pyproject.toml", '"torch>=2.2",', '"torch>=2.2 (cuda build)",')),
    M("scipy-not-declared", "base", "ohgw", "HPG204", "every import is a dependency",
      Replace("pyproject.toml", '    "scipy>=1.10",\n', "")),
    M("torchvision-not-declared", "derived", "ohgw", "HPG204", "every import is a dependency",
      Replace("pyproject.toml", '    "torchvision>=0.17",\n', "")),
    M("matplotlib-not-declared", "base", "baseline", "HPG204", "every import is a dependency",
      Replace("pyproject.toml", '    "matplotlib>=3.7",\n', "")),
    M("pyyaml-not-declared", "derived", "baseline", "HPG204", "yaml needs PyYAML",
      Replace("pyproject.toml", '    "PyYAML>=6.0",\n', "")),
    # ------------------------------------------------------------------ HPG2: configs
    M("yaml-jinja-run-id", "derived", "ohgw", "HPG205", "configs are YAML, not templates",
      Replace("config/smoke_test.yaml", "- run_id: asha-none-s0\n", "- run_id: {{ run_id }}\n")),
    M("yaml-jinja-experiment-name", "base", "ohgw", "HPG205", "configs are YAML, not templates",
      Replace("config/full_experiment.yaml", "  name: hpo_scheduler-experiment\n",
              "  name: {{ experiment_name }}\n")),
    M("yaml-jinja-run-id-seed", "derived", "baseline", "HPG205", "configs are YAML",
      Replace("config/full_experiment.yaml", "- run_id: baseline-s0\n",
              "- run_id: {{ variant }}-s{{ seed }}\n")),
    M("yaml-unterminated-quote", "derived", "baseline", "HPG205", "configs parse",
      Replace("config/smoke_test.yaml", "- run_id: baseline-s0\n", '- run_id: "baseline-s0\n')),
    M("yaml-tab-indent", "base", "family_override", "HPG205", "configs parse",
      Replace("config/smoke_test.yaml", "  scale: smoke\n", "\tscale: smoke\n")),
    M("runs-key-renamed", "base", "ohgw", "HPG206", "a config has runs",
      Replace("config/smoke_test.yaml", "runs: SPECIFIC_CONFIG_PLACEHOLDER\n",
              "run: SPECIFIC_CONFIG_PLACEHOLDER\n")),
    M("runs-empty-list", "derived", "ohgw", "HPG206", "derived runs are a non-empty list",
      ReplaceTail("config/smoke_test.yaml", "runs:\n", "runs: []\n")),
    M("run-without-run-id", "derived", "baseline", "HPG206", "every run has a run_id",
      Replace("config/smoke_test.yaml", "- run_id: baseline-s0\n  variant: baseline\n",
              "- variant: baseline\n")),
    M("runs-as-mapping", "derived", "family_override", "HPG206", "runs are a list of mappings",
      ReplaceTail("config/smoke_test.yaml", "runs:\n",
                  "runs:\n  baseline-s0:\n    variant: baseline\n    dataset: digits\n"
                  "    model: mlp\n    data_root: null\n    seed: 0\n    training: {}\n")),
    M("run-id-duplicated", "derived", "ohgw", "HPG207", "run_ids are unique",
      Replace("config/smoke_test.yaml", "- run_id: asha-ohgw-s0\n", "- run_id: asha-none-s0\n")),
    M("run-id-duplicated-full", "derived", "baseline", "HPG207", "run_ids are unique",
      Replace("config/full_experiment.yaml", "- run_id: baseline-s1\n", "- run_id: baseline-s0\n")),
    M("yaml-learning-rate-1e-3", "derived", "baseline", "HPG208", "numbers are YAML floats",
      Replace("config/smoke_test.yaml", "    learning_rate: 0.05\n", "    learning_rate: 1e-3\n"),
      # the golden converts learning_rate with float(), which HPG208 accepts: hand it on as loaded
      Replace("src/train.py", 'lr=float(hyper["learning_rate"])', 'lr=hyper["learning_rate"]')),
    M("yaml-eta-h-1e-3", "base", "ohgw", "HPG208", "numbers are YAML floats",
      Replace("config/smoke_test.yaml", "    eta_h: 0.001\n", "    eta_h: 1e-3\n")),
    M("yaml-low-1e-6", "derived", "ohgw", "HPG208", "numbers are YAML floats",
      Replace("config/full_experiment.yaml", "        low: 1.0e-06\n", "        low: 1e-6\n"),
      # the golden converts the bounds with float(), which HPG208 accepts: hand them on as loaded
      Replace("src/train.py", 'float(bounds["low"])', 'bounds["low"]')),
    # ------------------------------------------------------------------ HPG3: command line
    M("mode-group-optional", "base", "ohgw", "HPG301", "one of the two modes is required",
      Replace("src/main.py", "parser.add_mutually_exclusive_group(required=True)",
              "parser.add_mutually_exclusive_group()")),
    M("mode-flags-not-exclusive", "derived", "baseline", "HPG301", "the modes exclude each other",
      Replace("src/main.py", "    mode = parser.add_mutually_exclusive_group(required=True)\n", ""),
      Replace("src/main.py", "    mode.add_argument(\n", "    parser.add_argument(\n", count=2)),
    M("smoke-flag-renamed", "base", "baseline", "HPG301", "the flag is --smoke-test",
      Replace("src/main.py", '"--smoke-test", action="store_true"', '"--smoke", action="store_true"'),
      Replace("src/main.py", "args.smoke_test", "args.smoke")),
    M("results-dir-renamed", "base", "ohgw", "HPG302", "main takes --results-dir",
      Replace("src/main.py", 'parser.add_argument("--results-dir", required=True, type=Path)',
              'parser.add_argument("--output-dir", required=True, type=Path)'),
      Replace("src/main.py", "args.results_dir", "args.output_dir")),
    M("results-dir-underscore", "derived", "family_override", "HPG302", "main takes --results-dir",
      Replace("src/main.py", '"--results-dir", required=True', '"--results_dir", required=True')),
    M("train-launched-as-script", "base", "ohgw", "HPG303", "runs start `-m src.train`",
      Replace("src/main.py", '            "-m",\n            "src.train",\n',
              '            "src/train.py",\n')),
    M("train-runs-in-parallel", "derived", "baseline", "HPG303", "runs start one after another",
      Replace("src/main.py", "    for index, run in enumerate(runs, start=1):\n",
              "    workers = []\n    for index, run in enumerate(runs, start=1):\n"),
      Replace("src/main.py", RUN_FAILED,
              "        worker = threading.Thread(target=run_logged, args=(command, results_dir / run_id))\n"
              "        worker.start()\n"
              "        workers.append(worker)\n"
              "    for worker in workers:\n"
              "        worker.join()\n")),
    M("tee-alternating-readline", "base", "ohgw", "HPG304", "child pipes never block each other",
      Replace("src/main.py", TEE_THREADS, TEE_ALTERNATING)),
    M("tee-polling-readline", "derived", "baseline", "HPG304", "child pipes never block each other",
      Replace("src/main.py", TEE_THREADS, TEE_POLLING)),
    M("tee-drain-stdout-then-stderr", "derived", "family_override", "HPG304",
      "child pipes never block each other (stderr fills while stdout is drained)",
      Replace("src/main.py", TEE_THREADS, TEE_DRAIN_IN_TURN)),
    M("run-logs-renamed", "base", "ohgw", "HPG305", "logs are stdout.log / stderr.log",
      Replace("src/main.py", 'log_dir / "stdout.log"', 'log_dir / "out.txt"'),
      Replace("src/main.py", 'log_dir / "stderr.log"', 'log_dir / "err.txt"'),
      Replace("src/main.py", "'stderr.log'", "'err.txt'")),
    M("run-logs-not-forwarded", "derived", "baseline", "HPG305", "logs also reach sys.stdout/err",
      Replace("src/main.py", "            stream.write(line)\n            stream.flush()\n", "")),
    M("run-logs-not-written", "base", "baseline", "HPG305", "each run's output is logged to files",
      Replace("src/main.py", PUMP_BODY,
              '    for line in iter(pipe.readline, ""):\n        stream.write(line)\n'
              "        stream.flush()\n")),
    M("evaluate-never-launched", "base", "ohgw", "HPG306", "evaluate runs after the runs",
      Replace("src/main.py", EVALUATE_AFTER_LOOP, "            return code\n    return 0\n")),
    M("evaluate-inside-loop", "derived", "ohgw", "HPG306", "evaluate runs once, after the loop",
      Replace("src/main.py", EVALUATE_AFTER_LOOP,
              "            return code\n"
              "        command = [\n"
              "            sys.executable,\n"
              '            "-m",\n'
              '            "src.evaluate",\n'
              '            "--results-dir",\n'
              "            str(results_dir),\n"
              '            "--config",\n'
              "            str(config),\n"
              "        ]\n"
              '        run_logged(command, results_dir / "_evaluate")\n'
              "    return 0\n")),
    M("bare-import-model", "base", "ohgw", "HPG307", "siblings import as src.x",
      Replace("src/train.py", "from src.model import build_model, load_model, save_model",
              "from model import build_model, load_model, save_model")),
    M("bare-import-preprocess", "derived", "baseline", "HPG307", "siblings import as src.x",
      Replace("src/train.py", "from src.preprocess import load_dataset",
              "from preprocess import load_dataset")),
    # ------------------------------------------------------------------ HPG4: placeholders
    M("placeholder-in-train", "base", "ohgw", "HPG401", "train.py's core logic is complete",
      Replace("src/train.py",
              "    return torch.optim.SGD(\n        model.parameters(),\n"
              '        lr=float(hyper["learning_rate"]),\n        momentum=float(hyper["momentum"]),\n'
              '        weight_decay=float(hyper["weight_decay"]),\n    )\n',
              "    # PLACEHOLDER: will be replaced with the optimiser of the derived method\n"
              '    raise NotImplementedError("OPTIMIZER_PLACEHOLDER: no optimiser in the base package")\n')),
    M("placeholder-in-evaluate", "base", "baseline", "HPG401", "evaluate.py is complete",
      Replace("src/evaluate.py", '            "final_accuracy",\n',
              "            # PLACEHOLDER: will be replaced with the figure name of the derived method\n"
              '            "FIGURE_PLACEHOLDER",\n')),
    M("placeholder-in-main", "base", "family_override", "HPG401", "main.py is complete",
      Replace("src/main.py", 'RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")\n',
              "# PLACEHOLDER: will be replaced with the run-id convention of the derived experiment\n"
              'RUN_ID_PATTERN = re.compile("RUN_ID_PATTERN_PLACEHOLDER")\n')),
    M("placeholder-comment-dropped-preprocess", "base", "ohgw", "HPG402", "placeholders say what replaces them",
      Replace("src/preprocess.py", "# PLACEHOLDER: will be replaced with the loader of the derived "
              "dataset (hpogen derive --dataset)\n", "")),
    M("placeholder-comment-dropped-model", "base", "baseline", "HPG402", "placeholders say what replaces them",
      Replace("src/model.py", "    # PLACEHOLDER: will be replaced with the constructor of the derived model\n", "")),
    M("placeholder-comment-dropped-config", "base", "ohgw", "HPG402", "placeholders say what replaces them",
      Replace("config/smoke_test.yaml", "# PLACEHOLDER: will be replaced with one run per variation and "
              "seed, for the derived dataset\n# and model (hpogen derive)\n", "")),
    M("base-model-specified", "base", "ohgw", "HPG403", "the base leaves the model open",
      CopyFrom("src/model.py", "experiment/ohgw/expected/derived/src/model.py")),
    M("base-full-config-specified", "base", "baseline", "HPG403", "the base leaves the runs open",
      CopyFrom("config/full_experiment.yaml", "experiment/baseline/expected/derived/config/full_experiment.yaml")),
    M("base-smoke-config-specified", "base", "family_override", "HPG403", "the base leaves the runs open",
      CopyFrom("config/smoke_test.yaml", "experiment/family_override/expected/derived/config/smoke_test.yaml")),
    M("derived-keeps-dataset-placeholder", "derived", "ohgw", "HPG404", "a derived package has no placeholder",
      Replace("src/preprocess.py", "VALIDATION_FRACTION = 0.2\n",
              "# PLACEHOLDER: will be replaced with the loader of the derived dataset (hpogen derive --dataset)\n"
              'DATASET_PLACEHOLDER = "DATASET_PLACEHOLDER"\nVALIDATION_FRACTION = 0.2\n')),
    M("derived-placeholder-title", "derived", "baseline", "HPG404", "a derived package has no placeholder",
      Replace("src/evaluate.py", '"Final best test accuracy",', '"TITLE_PLACEHOLDER",')),
    M("derived-placeholder-in-config", "derived", "family_override", "HPG404", "a derived config has no placeholder",
      Replace("config/smoke_test.yaml", "  method_model: mlp\n", "  method_model: MODEL_PLACEHOLDER\n")),
    M("todo-comment", "base", "ohgw", "HPG405", "no unfinished work",
      Replace("src/train.py", "    model.train()\n    for _ in range(epochs):\n",
              "    model.train()\n    # TODO: add a learning-rate warm-up\n    for _ in range(epochs):\n")),
    M("simplified-version-docstring", "derived", "baseline", "HPG405", "no unfinished work",
      Replace("src/evaluate.py", '"""One bar per label with its value written above it."""',
              '"""Simplified version of the bar chart: the per-seed error bars are still to be added."""')),
    M("omitted-for-brevity", "train", "digits", "HPG405", "no unfinished work",
      Replace("train.py", '    """Mirror a random half of the batch left to right."""\n',
              '    """Mirror a random half of the batch left to right."""\n'
              "    # vertical flips omitted for brevity\n")),
    M("fixme-comment", "derived", "ohgw", "HPG405", "no unfinished work",
      Replace("src/main.py", "    results_dir.mkdir(parents=True, exist_ok=True)\n",
              "    results_dir.mkdir(parents=True, exist_ok=True)  # FIXME: check the free disk space\n")),
    M("stub-pass", "base", "ohgw", "HPG406", "functions have bodies",
      Replace("src/evaluate.py", "    finite = [v for v in values if v is not None and math.isfinite(v)]\n"
              "    return float(np.median(finite)) if finite else None\n", "    pass\n")),
    M("stub-ellipsis", "derived", "baseline", "HPG406", "functions have bodies",
      Replace("src/train.py",
              "    model.eval()\n    correct = 0\n    for start in range(0, len(y), batch_size):\n"
              "        correct += int(\n"
              "            (model(X[start : start + batch_size]).argmax(-1) == y[start : start + batch_size]).sum()\n"
              "        )\n    return correct / max(y.numel(), 1)\n", "    ...\n")),
    M("stub-not-implemented", "train", "breast_cancer", "HPG406", "functions have bodies",
      Replace("train.py",
              "    low, high = float(np.min(y_train)), float(np.max(y_train))\n"
              "    margin = PREDICTION_MARGIN * max(high - low, TINY)\n"
              "    low, high = low - margin, high + margin\n"
              "    filled = np.nan_to_num(predicted, nan=(low + high) / 2, posinf=high, neginf=low)\n"
              "    return np.clip(filled, low, high)\n", "    raise NotImplementedError\n")),
    # ------------------------------------------------------------------ HPG5: core logic
    M("no-backward", "base", "baseline", "HPG501", "the training loop back-propagates",
      Replace("src/train.py", "            loss.backward()\n", "")),
    M("no-optimizer-step", "derived", "ohgw", "HPG501", "the training loop steps the optimiser",
      Replace("src/train.py", "            optimizer.step()\n", "")),
    M("no-results-json", "base", "ohgw", "HPG502", "train writes results.json",
      Replace("src/train.py", '(run_dir / "results.json")', '(run_dir / "summary.json")')),
    M("no-json-on-stdout", "derived", "baseline", "HPG502", "train prints JSON lines",
      Replace("src/train.py", "    print(json.dumps(record), flush=True)\n", "    print(record, flush=True)\n")),
    M("no-run-id-key", "base", "family_override", "HPG502", "train's JSON carries run_id",
      Replace("src/train.py", '"run_id": args.run_id', '"run": args.run_id', count=3),
      Replace("src/train.py", "run_id=args.run_id,", "run=args.run_id,")),
    M("evaluate-prints-repr", "base", "ohgw", "HPG503", "evaluate prints JSON",
      Replace("src/evaluate.py", EVALUATE_PRINT,
              '    print({"experiment": experiment.get("name"), "runs": len(results), **comparison})\n')),
    M("evaluate-writes-file-only", "derived", "baseline", "HPG503", "evaluate prints JSON on stdout",
      Replace("src/evaluate.py", "    print(\n        json.dumps(\n",
              '    (args.results_dir / "comparison.json").write_text(\n        json.dumps(\n')),
    M("model-never-reloaded", "base", "ohgw", "HPG504", "the saved model is loaded back",
      ReplaceTail("src/model.py", "\n\ndef load_model(path: Path) -> nn.Module:\n", "\n"),
      Replace("src/train.py", "from src.model import build_model, load_model, save_model",
              "from src.model import build_model, save_model"),
      Replace("src/train.py", "    reloaded = load_model(path).to(device)\n    return accuracy(reloaded,",
              "    return accuracy(model,")),
    M("model-never-saved", "derived", "family_override", "HPG504", "the model is saved with torch.save",
      Replace("src/model.py",
              '    torch.save(\n        {\n            "model": name,\n'
              '            "input_shape": list(input_shape),\n            "num_classes": num_classes,\n'
              '            "state_dict": state,\n        },\n        path,\n    )\n',
              '    path.write_text(repr({"model": name, "num_classes": num_classes}), encoding="utf-8")\n')),
    M("figures-png", "base", "ohgw", "HPG505", "figures are PDF",
      Replace("src/evaluate.py", 'figure.savefig(images / f"{name}.pdf")', 'figure.savefig(images / f"{name}.png")'),
      Replace("src/evaluate.py", 'return f"{name}.pdf"', 'return f"{name}.png"')),
    M("figures-outside-images", "derived", "baseline", "HPG505", "figures go under images/",
      Replace("src/evaluate.py", 'compare(results, args.results_dir / "images")',
              "compare(results, args.results_dir)")),
    M("figures-never-saved", "base", "baseline", "HPG505", "figures are saved",
      Replace("src/evaluate.py", '    figure.savefig(images / f"{name}.pdf")\n', "")),
    M("tensorflow-import", "base", "ohgw", "HPG601", "PyTorch only",
      Replace("src/model.py", "import torch\nfrom torch import nn\n",
              "import tensorflow as tf  # noqa: F401\nimport torch\nfrom torch import nn\n"),
      with_dependency("tensorflow>=2.15")),
    M("keras-import", "derived", "baseline", "HPG601", "PyTorch only",
      Replace("src/model.py", "from torch import nn\n", "from keras import layers  # noqa: F401\nfrom torch import nn\n"),
      with_dependency("keras>=3.0")),
    # (a bundle's train.py may use another framework: seed 001 allows TensorFlow/Keras there)
    M("jax-import", "base", "family_override", "HPG601", "PyTorch only",
      Replace("src/train.py", "import torch\nimport yaml\n",
              "import jax.numpy as jnp  # noqa: F401\nimport torch\nimport yaml\n"),
      with_dependency("jax>=0.4")),
    # ------------------------------------------------------------------ HPG7: specialisation
    M("cifar10-loaded-in-base", "base", "ohgw", "HPG701", "the base loads no real dataset",
      Replace("src/preprocess.py", PLACEHOLDER_LOADER,
              "    import torchvision\n\n"
              '    train = torchvision.datasets.CIFAR10(root=data_root or "data", train=True, download=True)\n'
              '    test = torchvision.datasets.CIFAR10(root=data_root or "data", train=False, download=True)\n'
              '    return {"X": train.data.transpose(0, 3, 1, 2), "y": np.array(train.targets),\n'
              '            "X_test": test.data.transpose(0, 3, 1, 2), "y_test": np.array(test.targets)}\n'),
      with_dependency("torchvision>=0.17")),
    M("hf-load-dataset-in-base", "base", "baseline", "HPG701", "the base loads no real dataset",
      Replace("src/preprocess.py", PLACEHOLDER_LOADER,
              '    if name == "mnist":\n'
              "        from datasets import load_dataset as hf_load_dataset\n\n"
              '        parts = hf_load_dataset("mnist").with_format("numpy")\n'
              '        return {"X": parts["train"]["image"][:, None], "y": parts["train"]["label"],\n'
              '                "X_test": parts["test"]["image"][:, None], "y_test": parts["test"]["label"]}\n'
              + PLACEHOLDER_LOADER),
      with_dependency("datasets>=2.14")),
    M("fetch-openml-in-base", "base", "family_override", "HPG701", "the base loads no real dataset",
      Replace("src/preprocess.py", PLACEHOLDER_LOADER,
              "    from sklearn.datasets import fetch_openml\n\n"
              '    X, y = fetch_openml("Fashion-MNIST", version=1, return_X_y=True, as_frame=False)\n'
              "    X = X.reshape(-1, 1, 28, 28)\n"
              "    y = y.astype(np.int64)\n"
              '    return {"X": X[:60000], "y": y[:60000], "X_test": X[60000:], "y_test": y[60000:]}\n'),
      with_dependency("scikit-learn>=1.3")),
    M("np-load-fixed-path-in-base", "base", "ohgw", "HPG701", "the base loads no real dataset",
      Replace("src/preprocess.py", PLACEHOLDER_LOADER,
              '    arrays = np.load("/data/cifar10/cifar10.npz")\n'
              '    return {key: arrays[key] for key in ("X", "y", "X_test", "y_test")}\n')),
    M("dataset-name-in-train", "base", "ohgw", "HPG702", "the base names no dataset",
      Replace("src/train.py", LOAD_DATASET_CALL,
              'load_dataset("cifar10", run.get("data_root"), training.get("subset"), seed)')),
    M("dataset-default-in-train", "base", "baseline", "HPG702", "the base names no dataset",
      Replace("src/train.py", LOAD_DATASET_CALL,
              'load_dataset(run.get("dataset", "mnist"), run.get("data_root"), training.get("subset"), seed)')),
    M("dataset-filter-in-main", "base", "family_override", "HPG702", "the base names no dataset",
      Replace("src/main.py", '        run_id = run["run_id"]\n',
              '        run_id = run["run_id"]\n        if run.get("dataset") != "mnist":\n            continue\n')),
    # ------------------------------------------------------------------ HPG8: derived vs base
    M("derived-drops-pasha", "derived", "ohgw", "HPG801", "the derived package keeps the base code",
      Cut("src/train.py", "class PASHA(ASHA):\n", "def make_scheduler(training: dict) -> ASHA:\n"),
      Replace("src/train.py", '    if kind == "pasha":\n'
              '        return PASHA(*args, number(training, "pasha_epsilon", 0.005))\n', "")),
    M("derived-truncates-main", "derived", "baseline", "HPG801", "the derived package keeps the base code",
      ReplaceTail("src/train.py", "    run_dir = args.results_dir / args.run_id\n",
                  "    # ... the rest of main() is unchanged from the base package\n\n\n"
                  'if __name__ == "__main__":\n    sys.exit(main())\n')),
    M("derived-drops-bar-figure", "derived", "family_override", "HPG801", "the derived package keeps the base code",
      Cut("src/evaluate.py", "def bar_figure(", "def compare("),
      Replace("src/evaluate.py",
              "        save_figure(\n            bar_figure(\n"
              '                {v: s["median_best_test_accuracy"] for v, s in summary.items()},\n'
              '                "test accuracy",\n                "Final best test accuracy",\n'
              "            ),\n            images,\n"
              '            "final_accuracy",\n        ),\n', "")),
    M("run-model-unknown", "derived", "ohgw", "HPG802", "a run's model is one model.py builds",
      Replace("config/smoke_test.yaml",
              "- run_id: asha-none-s0\n  variant: asha-none\n  dataset: fakedata\n  model: resnet20\n",
              "- run_id: asha-none-s0\n  variant: asha-none\n  dataset: fakedata\n  model: resnet56\n")),
    M("run-dataset-unknown", "derived", "baseline", "HPG802", "a run's dataset is one preprocess.py loads",
      Replace("config/full_experiment.yaml", "- run_id: baseline-s0\n  variant: baseline\n  dataset: mnist\n",
              "- run_id: baseline-s0\n  variant: baseline\n  dataset: emnist\n")),
    M("smoke-drops-variation", "derived", "ohgw", "HPG803", "every variation has a smoke run",
      ReplaceTail("config/smoke_test.yaml", "- run_id: pasha-ohgw3-s0\n", "")),
    M("full-adds-variation", "derived", "baseline", "HPG803", "every variation has a smoke run",
      Replace("config/full_experiment.yaml", "  - variant: baseline\n    training: {}\n",
              "  - variant: baseline\n    training: {}\n  - variant: baseline-long\n"
              "    training:\n      epochs: 200\n"),
      Append("config/full_experiment.yaml",
             "- run_id: baseline-long-s0\n  variant: baseline-long\n  dataset: mnist\n"
             "  model: small_cnn\n  data_root: null\n  seed: 0\n  training:\n    epochs: 200\n")),
    # ------------------------------------------------------------------ HPG9: train function
    M("train-without-model-dir", "train", "digits", "HPG901", "train(cfg, dataset, seed, budget=None, model_dir=None)",
      Replace("train.py", TRAIN_SIGNATURE, "def train(cfg, dataset, seed, budget=None) -> dict:"),
      Replace("train.py", "    if model_dir is not None:\n"
              "        save_model(Path(model_dir), model, cfg, architecture, data, metrics)\n", "")),
    M("train-renamed", "train", "breast_cancer", "HPG901", "the function is called train",
      Replace("train.py", TRAIN_SIGNATURE,
              "def train_model(cfg, dataset, seed, budget=None, model_dir=None) -> dict:")),
    M("train-budget-required", "train", "digits", "HPG901", "budget defaults to None",
      Replace("train.py", TRAIN_SIGNATURE, "def train(cfg, dataset, seed, budget, model_dir=None) -> dict:")),
    M("undefined-numpy", "base", "ohgw", "HPG902", "every name is defined",
      Replace("src/train.py", "    np.random.seed(seed)\n", "    numpy.random.seed(seed)\n")),
    M("undefined-statistics", "derived", "baseline", "HPG902", "every name is defined",
      Replace("src/evaluate.py", "    return float(np.median(finite)) if finite else None\n",
              "    return float(statistics.median(finite)) if finite else None\n")),
    M("undefined-typo", "train", "digits", "HPG902", "every name is defined",
      Replace("train.py", "    return float(max(1, int(best_epoch)))\n",
              "    return float(max(1, int(best_epochs)))\n")),
    M("undefined-numpy-tabular", "train", "breast_cancer", "HPG902", "every name is defined",
      Replace("train.py", "isinstance(value, np.generic)", "isinstance(value, numpy.generic)")),
    M("cfg-key-unknown", "train", "digits", "HPG903", "cfg keys are in the space",
      Replace("train.py", '"learning_rate": float(setting(cfg, "learning_rate", 1e-3)),',
              '"learning_rate": float(cfg["lr"]),')),
    M("cfg-key-typo", "train", "breast_cancer", "HPG903", "cfg keys are in the space",
      Replace("train.py", 'learning_rate=_hp(cfg, "hgb_learning_rate", float, 0.1),',
              'learning_rate=float(cfg["hgb_learn_rate"]),')),
    M("budget-ignored", "train", "digits", "HPG904", "the budget sets the epochs",
      Replace("train.py", "    epochs = FULL_EPOCHS if budget is None else max(1, round(float(budget)))\n",
              "    epochs = FULL_EPOCHS\n")),
    M("budget-ignored-tabular", "train", "breast_cancer", "HPG904", "the budget sets the fidelity",
      Replace("train.py", "_fidelity(cfg, algorithm, budget)", "_fidelity(cfg, algorithm, None)"),
      Replace("train.py", "        share = None if budget is None else float(budget)\n", "        share = None\n")),
    M("loss-key-renamed", "train", "digits", "HPG905", "the result has loss",
      Replace("train.py", '        "loss": 1.0 - accuracy,\n', '        "error": 1.0 - accuracy,\n')),
    M("loss-key-dropped", "train", "breast_cancer", "HPG905", "the result has loss",
      Replace("train.py", 'result = {"loss": 1.0 - accuracy, "accuracy": accuracy}',
              'result = {"accuracy": accuracy}'),
      Replace("train.py", 'result = {"loss": rmse / max(float(np.std(y_train)), TINY), "rmse": rmse}',
              'result = {"rmse": rmse}')),
    M("literal-reshape", "train", "digits", "HPG906", "shapes come from the data",
      Replace("train.py", "        return images.reshape(len(images), channels, height, width)\n",
              "        return images.reshape(-1, 1, 8, 8)\n")),
    M("literal-view", "train", "digits", "HPG906", "shapes come from the data",
      Replace("train.py", '    images, labels = image_source(dataset["X"]), as_array(dataset["y"]).reshape(-1)\n',
              '    images = torch.as_tensor(as_array(dataset["X"], np.float32)).view(-1, 1, 8, 8).numpy()\n'
              '    labels = as_array(dataset["y"]).reshape(-1)\n')),
    M("test-split-ignored", "train", "digits", "HPG907", "X_test is used when given",
      Replace("train.py", 'for name in ("val", "test") if has_part(dataset, name)',
              'for name in ("val",) if has_part(dataset, name)')),
    M("test-split-ignored-tabular", "train", "breast_cancer", "HPG907", "X_test is used when given",
      Replace("train.py", 'for name in ("val", "test") if _has_part(dataset, name)',
              'for name in ("val",) if _has_part(dataset, name)'),
      Replace("train.py", '        or _has_part(dataset, "test")\n', '')),
    M("cpu-only", "train", "digits", "HPG908", "CUDA is used when available",
      Replace("train.py", '    return torch.device("cuda" if torch.cuda.is_available() else "cpu")\n',
              '    return torch.device("cpu")\n')),
    M("cpu-only-tabular", "train", "breast_cancer", "HPG908", "CUDA is used when available",
      Replace("train.py", '    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n',
              '    device = torch.device("cpu")\n')),
    M("except-exception", "train", "digits", "HPG909", "training errors are not swallowed",
      Replace("train.py",
              "    epochs_completed = fit(model, optimizer, scheduler, data, settings, progress, epochs, seed)\n",
              "    try:\n"
              "        epochs_completed = fit(model, optimizer, scheduler, data, settings, progress, epochs, seed)\n"
              "    except Exception:\n"
              "        epochs_completed = 0\n")),
    M("bare-except", "train", "breast_cancer", "HPG909", "training errors are not swallowed",
      Replace("train.py", "            fit = _fit_sklearn(cfg, algorithm, count, arrays, seed)\n",
              "            try:\n"
              "                fit = _fit_sklearn(cfg, algorithm, count, arrays, seed)\n"
              "            except:  # noqa: E722\n"
              '                return {"loss": 1.0}\n')),
    M("except-exception-experiment", "base", "ohgw", "HPG909", "training errors are not swallowed",
      Replace("src/train.py",
              "    results = run_experiment(\n"
              '        run, data, training, seed, lambda record: emit({"run_id": args.run_id, **record})\n'
              "    )\n",
              "    try:\n"
              "        results = run_experiment(\n"
              '            run, data, training, seed, lambda record: emit({"run_id": args.run_id, **record})\n'
              "        )\n"
              "    except Exception as exc:\n"
              '        print(f"training failed: {exc}", file=sys.stderr)\n'
              "        return\n")),
]


# ----------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Result:
    name: str
    mode: str
    source: str
    code: str  # the intended rule
    found: tuple[str, ...]  # every code reported, sorted, once each
    messages: tuple[str, ...]  # the findings, as path:row: CODE message

    @property
    def caught(self) -> bool:
        """Caught by the rule it is meant for."""
        return self.code in self.found

    @property
    def caught_any(self) -> bool:
        return bool(self.found)


def review_mutant(mutant: Mutant) -> Result:
    with tempfile.TemporaryDirectory(prefix="hpogen-mutant-") as work:
        folder, base = mutant.build(Path(work))
        report = review(folder, mutant.mode, base)
    findings = report.findings
    return Result(mutant.name, mutant.mode, mutant.source, mutant.code,
                  tuple(sorted({f.code for f in findings})),
                  tuple(f"{f.path}:{f.row}: {f.code} {f.message}" for f in findings))


def run_corpus(codes: set[str] | None = None) -> list[Result]:
    """Review every mutant (or those meant for codes); MutantError when one cannot be built."""
    check_corpus()
    return [review_mutant(m) for m in MUTANTS if codes is None or m.code in codes]


def check_corpus() -> None:
    names = [m.name for m in MUTANTS]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise MutantError(f"mutant names appear twice: {duplicates}")
    uncovered = sorted(set(CODES) - {m.code for m in MUTANTS})
    if uncovered:
        raise MutantError(f"no mutant for {uncovered}")
    strange = sorted({m.code for m in MUTANTS} - set(CODES))
    if strange:
        raise MutantError(f"mutants meant for codes no rule has: {strange}")


def rates(results: list[Result]) -> tuple[float, float]:
    """(share caught by the intended rule, share caught by any rule)."""
    if not results:
        return 0.0, 0.0
    return (sum(r.caught for r in results) / len(results),
            sum(r.caught_any for r in results) / len(results))


def print_table(results: list[Result], verbose: bool = False) -> None:
    width = max(len(r.name) for r in results)
    print(f"{'mutant':<{width}}  {'mode':<7}  {'intended':<8}  {'by intended':<11}  found")
    for r in results:
        found = ",".join(r.found) or "-"
        print(f"{r.name:<{width}}  {r.mode:<7}  {r.code:<8}  {'yes' if r.caught else 'NO':<11}  {found}")
        if verbose and not r.caught:
            for message in r.messages:
                print(f"{'':<{width}}      {message}")
    intended, anything = rates(results)
    print(f"\n{len(results)} mutants: caught by the intended rule {sum(r.caught for r in results)}"
          f" ({intended:.1%}), caught by any rule {sum(r.caught_any for r in results)} ({anything:.1%})")
    missed = [r for r in results if not r.caught]
    if missed:
        print("missed by the intended rule: " + ", ".join(f"{r.name} ({r.code})" for r in missed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", action="append", help="only the mutants meant for this code")
    parser.add_argument("--verbose", action="store_true", help="print the findings of each miss")
    args = parser.parse_args(argv)
    results = run_corpus(set(args.code) if args.code else None)
    print_table(results, args.verbose)
    intended, _ = rates(results)
    return 0 if intended >= TARGET_RATE else 1


if __name__ == "__main__":
    sys.exit(main())
