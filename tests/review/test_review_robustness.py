"""The reviewer never raises and never reports its own failure (HPG000), whatever the files hold.

Property tests write random bytes, random text, Python-ish and YAML-ish text and mutated golden
files into the package files (laid over the golden OHGW packages) and into a bundle's train.py
and configspace.json, then review them in every mode with every rule. Explicit tests cover the
hostile folders: empty, huge, binary and non-UTF-8 files, links out of the folder, pipes, missing
and extra files, YAML alias bombs and deeply nested code.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from review_support import GOOD, lay_over

from hpogen.review.engine import Report, review
from hpogen.review.package import BUNDLE_FILES, PACKAGE_FILES
from hpogen.review.rule import Rule
from hpogen.review.source import MAX_BYTES, SourceFile

HPOGEN = str(Path(sys.executable).with_name("hpogen"))
EXAMPLES = int(os.environ.get("HPOGEN_REVIEW_FUZZ_EXAMPLES", "40"))  # raise it for a longer hunt
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# examples that parse (most of a golden package) make every rule do its full work: half as many
FUZZ_GOLDEN = settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
PYTHON_FILES = PACKAGE_FILES[:5]
CONFIG_FILES = ("config/smoke_test.yaml", "config/full_experiment.yaml")


def assert_sound(report: Report) -> None:
    crashed = [f.message for f in report.findings if f.code == "HPG000"]
    assert not crashed, crashed


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


# ---------------------------------------------------------------------------------- strategies

PY_TOKENS = [
    "def ", "train", "(", ")", ":", "\n", "    ", "return ", "import ", "from ", "torch", "x", " = ",
    "1", "0.5", "'s'", '"""', "#", " TODO", "lambda ", "class ", "yield ", "async ", "await ", "*", "**",
    ",", "[", "]", "{", "}", "if ", "else", "elif ", "for ", " in ", "with ", " as ", "try", "except",
    "finally", "pass", "...", "raise ", "DATASET_PLACEHOLDER", "MODEL_PLACEHOLDER", "cfg['lr']",
    "argparse.ArgumentParser()", ".add_argument('--smoke-test')", "subprocess.run", "subprocess.Popen",
    "model_dir", "budget", "seed", "dataset", "\\", "@", "global ", "nonlocal ", "match ", "case ",
    "f'{x}'", "\t", ";", ".", "__name__", "'__main__'", "yaml.safe_load", "open(", "sys.argv", "del ",
    "torch.device('cuda')", "{'loss': 0.0}", "print(", "while ", "break", "continue", "assert ",
    "\r\n", "\x0c", "\u00e9", "\U0001f600", "\ufeff", "\x85",
]
YAML_KEYS = ["experiment", "runs", "run_id", "variant", "variants", "seed", "seeds", "dataset", "model",
             "training", "scheduler", "warm_start", "learning_rate", "low", "high", "log", "data_root",
             "name", "family", "scale", "max_epochs", "batch_size", "not_implemented", "search_space"]
YAML_SCALARS = ["1", "0.5", "1e-3", "1.0e-06", "'1e-3'", '"x"', "true", "null", "~", "[]", "{}",
                "SPECIFIC_CONFIG_PLACEHOLDER", "DATASET_PLACEHOLDER", "{{ value }}", "'{{'", "|", ">",
                "!!python/object:os.system", "!!python/object/apply:os.system ['true']", "!!binary aGk=",
                "!!int abc", "!!float x", "!!timestamp 2020-02-30", "!!set {a, b}", "!!omap [a: 1]",
                "&a 1", "*a", "*undefined", "<<: *a", "? [a]", "'unterminated", '"esc \\x', "# TODO",
                "2001:db8::1", "0o17", "0x1F", ".inf", "-.NaN", "2020-01-01", "'", "\t", "%YAML 1.2", "---",
                "...", "@reserved", "`tick`"]


@st.composite
def python_ish(draw) -> str:
    """Text made of Python's tokens and the names the rules look for; seldom valid."""
    return "".join(draw(st.lists(st.sampled_from(PY_TOKENS), max_size=120)))


SIMPLE_STATEMENTS = st.integers(1, 40).map(lambda n: "y = " + "a()." * n + "b") | st.sampled_from([
    "pass", "x = 1", "return {'loss': 1.0}", "import torch", "from src.model import build",
    "cfg = yaml.safe_load(open(path))", "subprocess.run([sys.executable, '-m', 'src.train'])",
    "parser.add_argument('--results-dir')", "loss = model(x).mean()", "raise NotImplementedError",
    "# TODO: finish", "...", "data = DATASET_PLACEHOLDER", "net = MODEL_PLACEHOLDER  # PLACEHOLDER",
    "yield x", "global x", "nonlocal y", "break", "del x[0]", "x: int", "print(f'{cfg[\"lr\"]:.3f}')",
    "torch.save(model.state_dict(), model_dir / 'm.pt')", "x = lambda *a, **k: (yield)",
    "except_ = [i async for i in y]", "assert budget is None or budget > 0", "await z",
    "return", "x = train(cfg, dataset, seed, budget=None, model_dir=None)", "x.reshape(32, 3, 32, 32)",
])
HEADERS = st.sampled_from([
    "def train(cfg, dataset, seed, budget=None, model_dir=None):", "def main():", "class Net(nn.Module):",
    "if __name__ == '__main__':", "for run in runs:", "while True:", "with open(p) as f:", "try:",
    "except Exception:", "async def f(*args, **kwargs):", "def forward(self, x):", "else:",
    "match cfg:", "case {'lr': lr}:", "if x:", "def evaluate(model, loader) -> dict:", "finally:",
])


@st.composite
def python_valid(draw) -> str:
    """Python that mostly parses (statements nested in blocks): what makes rules walk their trees."""
    tree = draw(st.recursive(SIMPLE_STATEMENTS.map(lambda s: [s]),
                             lambda inner: st.tuples(HEADERS, st.lists(inner, min_size=1, max_size=4)).map(
                                 lambda block: [block[0], *("    " + line for part in block[1] for line in part)]),
                             max_leaves=30))
    return "\n".join(tree) + "\n"


@st.composite
def yaml_ish(draw) -> str:
    """Lines of keys, colons, indentation, quotes, templates, lists, anchors, aliases and tags."""
    lines = []
    for _ in range(draw(st.integers(0, 40))):
        indent = " " * draw(st.sampled_from([0, 0, 1, 2, 2, 4, 6, 8, 40]))
        dash = draw(st.sampled_from(["", "", "- ", "-", "- - "]))
        key = draw(st.sampled_from([*YAML_KEYS, "", "? ", "'quoted key'", "{{ k }}", "&anchor k", "*alias", "<<"]))
        colon = draw(st.sampled_from([": ", ":", " : ", "", ":\n"]))
        value = draw(st.one_of(st.sampled_from(YAML_SCALARS), st.text(max_size=8)))
        lines.append(f"{indent}{dash}{key}{colon}{value}")
    if draw(st.booleans()):  # very deep nesting, in flow or block style
        depth = draw(st.integers(50, 2000))
        lines.append(draw(st.sampled_from(["[" * depth + "]" * depth, "{a: " * depth + "1" + "}" * depth,
                                           "".join(f"{' ' * i}k:\n" for i in range(min(depth, 300))),
                                           "- " * depth + "x"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


@st.composite
def json_ish(draw) -> str:
    """configspace.json-like documents, valid JSON of the wrong shape included."""
    value = draw(st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(st.sampled_from(["name", "hyperparameters", "type", "choices",
                                                                 "default_value", "lower", "upper", "log"]),
                                                inner, max_size=4)),
        max_leaves=20))
    return json.dumps(value) if draw(st.booleans()) else json.dumps(value)[: draw(st.integers(0, 50))]


def golden_text(relative: str, mode: str) -> str:
    return (GOOD[mode] / relative).read_text(encoding="utf-8")


@st.composite
def mutated(draw, text: str) -> str:
    """A golden file with characters or lines deleted, duplicated, inserted or swapped."""
    noise = st.one_of(st.text(max_size=6), st.sampled_from([":", "(", ")", "[", "]", "{", "}", "'", '"', "#",
                                                           "\n", "    ", "\t", "-", "*", "&", "!", "|", "\\",
                                                           "{{", "}}", '"""', "\x00", "\ufeff"]))
    for _ in range(draw(st.integers(1, 6))):
        lines = text.splitlines(keepends=True) or [""]
        op = draw(st.sampled_from(["del_chars", "ins_chars", "dup_chars", "del_line", "dup_line",
                                   "swap_lines", "ins_line", "indent"]))
        at = draw(st.integers(0, len(text)))
        row = draw(st.integers(0, len(lines) - 1))
        if op == "del_chars":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif op == "ins_chars":
            text = text[:at] + draw(noise) + text[at:]
        elif op == "dup_chars":
            text = text[:at] + text[at:at + draw(st.integers(1, 40))] * 2 + text[at + 1:]
        elif op == "del_line":
            text = "".join(lines[:row] + lines[row + 1:])
        elif op == "dup_line":
            text = "".join(lines[:row + 1] + lines[row:])
        elif op == "swap_lines":
            other = draw(st.integers(0, len(lines) - 1))
            lines[row], lines[other] = lines[other], lines[row]
            text = "".join(lines)
        elif op == "ins_line":
            text = "".join(lines[:row] + [draw(noise) + "\n"] + lines[row:])
        else:
            text = "".join(lines[:row] + [" " * draw(st.integers(1, 9)) + lines[row]] + lines[row + 1:])
    return text


ANY_CONTENT = st.one_of(st.binary(max_size=600), st.text(max_size=600), python_ish(), python_valid(),
                        yaml_ish(), json_ish())


def mutated_files(mode: str, names: tuple[str, ...]) -> st.SearchStrategy[dict[str, str]]:
    """One to three of the mode's golden files, mutated."""
    return st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({name: mutated(golden_text(name, mode)) for name in chosen}))


# ----------------------------------------------------------------------------- property tests

@FUZZ
@given(files=st.fixed_dictionaries({name: ANY_CONTENT for name in PACKAGE_FILES}))
def test_any_content_in_every_package_file(files):
    with tempfile.TemporaryDirectory() as work:
        folder = lay_over(GOOD["base"], Path(work) / "package", files)
        assert_sound(review(folder, "base"))
        assert_sound(review(folder, "derived", folder))  # its own base: both sides are strange
        assert_sound(review(folder, "train"))
        assert_sound(review(folder))


@FUZZ_GOLDEN
@given(files=st.fixed_dictionaries({name: st.one_of(python_valid(), python_ish()) for name in PYTHON_FILES}),
       mode=st.sampled_from(["base", "derived"]))
def test_python_in_the_modules(files, mode):
    with tempfile.TemporaryDirectory() as work:
        folder = lay_over(GOOD[mode], Path(work) / "package", files)
        assert_sound(review(folder, mode, GOOD["base"] if mode == "derived" else None))


@FUZZ_GOLDEN
@given(data=st.data(), case=st.sampled_from(["base", "derived", "derived-from-mutated-base"]))
def test_mutated_golden_package(data, case):
    mode = "base" if case == "derived-from-mutated-base" else case
    files = data.draw(mutated_files(mode, PACKAGE_FILES))
    with tempfile.TemporaryDirectory() as work:
        folder = lay_over(GOOD[mode], Path(work) / "package", files)
        if case == "derived-from-mutated-base":
            assert_sound(review(GOOD["derived"], "derived", folder))
        else:
            assert_sound(review(folder, mode, GOOD["base"] if mode == "derived" else None))


@FUZZ_GOLDEN
@given(configs=st.fixed_dictionaries({name: yaml_ish() for name in CONFIG_FILES}),
       mode=st.sampled_from(["base", "derived"]))
def test_yaml_ish_configs(configs, mode):
    with tempfile.TemporaryDirectory() as work:
        folder = lay_over(GOOD[mode], Path(work) / "package", configs)
        assert_sound(review(folder, mode, GOOD["base"] if mode == "derived" else None))


@FUZZ
@given(data=st.data())
def test_bundle_train_function(data):
    files = {
        "train.py": data.draw(st.one_of(st.binary(max_size=400), python_ish(), python_valid(),
                                        mutated(golden_text("train.py", "train")))),
        "configspace.json": data.draw(st.one_of(st.binary(max_size=200), json_ish(),
                                                mutated(golden_text("configspace.json", "train")))),
    }
    with tempfile.TemporaryDirectory() as work:
        folder = lay_over(GOOD["train"], Path(work) / "bundle", files)
        assert_sound(review(folder, "train"))
        assert_sound(review(folder))


# ------------------------------------------------------------------------ explicit hostile files

def review_over(tmp_path: Path, files: dict[str, str | bytes | None], mode: str = "base", **kw) -> Report:
    folder = lay_over(GOOD[mode], tmp_path / "package", files)
    report = review(folder, mode, GOOD["base"] if mode == "derived" else None, **kw)
    assert_sound(report)
    return report


def findings_at(report: Report, code: str) -> set[str]:
    return {f.path for f in report.findings if f.code == code}


@pytest.mark.parametrize("mode", ["base", "derived"])
def test_empty_files(tmp_path, mode):
    report = review_over(tmp_path, dict.fromkeys(PACKAGE_FILES, ""), mode)
    assert findings_at(report, "HPG002") == set(PACKAGE_FILES)


def test_empty_bundle_files(tmp_path):
    report = review_over(tmp_path, dict.fromkeys(BUNDLE_FILES, ""), "train")
    assert "train.py" in findings_at(report, "HPG002")


def test_file_over_the_size_limit_is_not_read(tmp_path):
    start = time.perf_counter()
    report = review_over(tmp_path, {"src/model.py": "x = 1\n" * (MAX_BYTES // 6 + 10),
                                    "config/smoke_test.yaml": "a: 1\n" * (MAX_BYTES // 5 + 10)})
    assert time.perf_counter() - start < 20
    assert findings_at(report, "HPG001") == {"src/model.py", "config/smoke_test.yaml"}


@pytest.mark.parametrize("content", [b"\x00\x01\x02\xff binary", b"\x89PNG\r\n\x1a\n\x00\x00", b"a: 1\n\x00"])
def test_binary_file(tmp_path, content):
    report = review_over(tmp_path, {"src/train.py": content, "config/full_experiment.yaml": content})
    assert findings_at(report, "HPG001") == {"src/train.py", "config/full_experiment.yaml"}


@pytest.mark.parametrize("mode", ["base", "derived", "train"])
def test_non_utf8_file(tmp_path, mode):
    latin = "# Sch\xe4tzung\nx = 1\n".encode("latin-1")
    names = BUNDLE_FILES if mode == "train" else ("src/model.py", "pyproject.toml", "config/smoke_test.yaml")
    report = review_over(tmp_path, dict.fromkeys(names, latin), mode)
    assert findings_at(report, "HPG001") == set(names)


def run_cli(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([HPOGEN, "review", *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_links_out_of_the_folder_are_reported_and_never_read(tmp_path):
    """The targets are a pipe (opening it would block: the timeout fails the test) and a file
    holding a sentinel that must not appear in the output."""
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "pipe.py")
    (outside / "secret.yaml").write_text("runs: SENTINEL-7f3a\n", encoding="utf-8")
    folder = lay_over(GOOD["base"], tmp_path / "package", {"src/model.py": None, "config/smoke_test.yaml": None})
    (folder / "src" / "model.py").symlink_to(outside / "pipe.py")
    (folder / "config" / "smoke_test.yaml").symlink_to(outside / "secret.yaml")
    result = run_cli(folder, "--format", "json", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "SENTINEL-7f3a" not in result.stdout
    found = json.loads(result.stdout)["findings"]
    assert {f["code"] for f in found} >= {"HPG001"} and "HPG000" not in {f["code"] for f in found}
    unreadable = {Path(f["filename"]).relative_to(os.path.abspath(folder)).as_posix() for f in found if f["code"] == "HPG001"}
    assert unreadable == {"src/model.py", "config/smoke_test.yaml"}


def test_linked_folder_out_of_the_package_is_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    shutil.copytree(GOOD["base"] / "src", outside)
    os.mkfifo(outside / "pipe.py")  # followed and read, it would block
    folder = lay_over(GOOD["base"], tmp_path / "package", {"src": None})
    (folder / "src").symlink_to(outside, target_is_directory=True)
    start = time.perf_counter()
    report = review(folder, "base")
    assert time.perf_counter() - start < 20
    assert_sound(report)
    assert "src" in findings_at(report, "HPG001")
    assert findings_at(report, "HPG101") == set(PYTHON_FILES)


def test_link_inside_the_package_is_read(tmp_path):
    folder = lay_over(GOOD["base"], tmp_path / "package", {"src/model.py": None})
    (folder / "src" / "model.py").symlink_to(GOOD["base"].resolve() / "src" / "model.py")
    (folder / "src" / "model.py").rename(folder / "model.py")  # a link out of the folder...
    (folder / "src" / "model.py").symlink_to("../model.py")  # ...reached through one inside it
    report = review(folder, "base", select=("HPG0",))
    assert_sound(report)
    assert findings_at(report, "HPG001") == {"model.py", "src/model.py"}  # both lead out
    inside = lay_over(GOOD["base"], tmp_path / "inside", {"docs/model.py": None})
    (inside / "README.md").symlink_to("pyproject.toml")
    report = review(inside, "base")
    assert_sound(report)
    assert report.ready, report.findings


def test_pipe_inside_the_package_is_reported_not_read(tmp_path):
    """A named pipe (or any other non-regular file) is never opened: that would block forever."""
    folder = lay_over(GOOD["base"], tmp_path / "package", {"src/evaluate.py": None})
    os.mkfifo(folder / "src" / "evaluate.py")
    (folder / "notes.txt").symlink_to(folder / "src" / "evaluate.py")
    result = run_cli(folder, "--format", "json", timeout=60)
    found = json.loads(result.stdout)["findings"]
    unreadable = {Path(f["filename"]).name for f in found if f["code"] == "HPG001"}
    assert unreadable == {"evaluate.py", "notes.txt"}
    assert "HPG000" not in {f["code"] for f in found}


def test_missing_files(tmp_path):
    report = review_over(tmp_path, {"src/preprocess.py": None, "config/full_experiment.yaml": None})
    assert findings_at(report, "HPG101") == {"src/preprocess.py", "config/full_experiment.yaml"}
    everything = review_over(tmp_path / "empty", dict.fromkeys(("src", "config", "pyproject.toml")))
    assert findings_at(everything, "HPG101") == set(PACKAGE_FILES)


def test_missing_bundle_files(tmp_path):
    report = review_over(tmp_path, dict.fromkeys(BUNDLE_FILES), "train")
    assert findings_at(report, "HPG101") == set(BUNDLE_FILES)


def test_extra_files(tmp_path):
    report = review_over(tmp_path, {"src/utils.py": "def helper():\n    return 1\n", "config/extra.yaml": "a: 1\n",
                                    "README.md": "notes\n"})
    assert findings_at(report, "HPG102") == {"src/utils.py", "config/extra.yaml"}


def test_file_named_with_undecodable_bytes(tmp_path):
    folder = lay_over(GOOD["base"], tmp_path / "package", {})
    (folder / os.fsdecode(b"src/b\xff.py")).write_text("x = 1\n", encoding="utf-8")
    report = review(folder, "base")
    assert_sound(report)
    assert findings_at(report, "HPG102") == {os.fsdecode(b"src/b\xff.py")}
    result = run_cli(folder, env={"PYTHONIOENCODING": "utf-8"})  # strict stdout, as in most locales
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "src/b\\xff.py:1:1: HPG102 " in result.stdout


BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)))


@pytest.mark.parametrize("text", [
    BOMB,  # a billion laughs: 9**9 strings once expanded
    "runs: &r [*r]\n", "runs: &r {x: *r}\n", "a: &a {<<: *a}\n",  # cycles
    "runs:\n" + "".join(f"- &r{i} [{', '.join(['*r' + str(i - 1)] * 10) if i else 'x'}]\n" for i in range(12)),
], ids=["billion-laughs", "cycle-list", "cycle-map", "cycle-merge", "bomb-in-runs"])
def test_yaml_aliases_neither_hang_nor_crash(tmp_path, text):
    source = SourceFile("config/smoke_test.yaml", text)
    start = time.perf_counter()
    source.yaml_node, source.yaml_data  # noqa: B018 - composing and loading share the aliased nodes
    assert time.perf_counter() - start < 1
    folder = lay_over(GOOD["derived"], tmp_path / "package", dict.fromkeys(CONFIG_FILES, text))
    # in a process of its own, so a rule that expands the aliases fails the test instead of hanging it
    result = run_cli(folder, "--base", GOOD["base"], "--format", "json", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "HPG000" not in {f["code"] for f in json.loads(result.stdout)["findings"]}


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 999 + "]" * 999, "{a: " * 5000 + "1" + "}" * 5000,
                                  "".join(f"{' ' * i}k{i}:\n" for i in range(3000)), "- " * 5000 + "x\n"])
def test_deeply_nested_yaml(tmp_path, text):
    start = time.perf_counter()
    review_over(tmp_path, dict.fromkeys(CONFIG_FILES, text))
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("text", [
    "f(" * 1000,  # too many nested parentheses
    "x = " + "-" * 100_000 + "1\n",  # MemoryError inside the parser
    "x = " + "a + " * 5000 + "a\n",  # RecursionError building the tree
    "x = " + "not " * 100_000 + "a\n",
    "x = " + "a if b else " * 3000 + "c\n",
    "".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n",  # too many indentation levels
], ids=["parens", "unary", "binop", "not", "ifexp", "indent"])
def test_deeply_nested_python_is_a_finding(tmp_path, text):
    for mode, name in (("base", "src/train.py"), ("train", "train.py")):
        report = review_over(tmp_path / mode, {name: text}, mode)
        assert findings_at(report, "HPG003") == {name}


class RecursiveReader(Rule):
    """A rule that reads every tree the way rules may: recursive visitors and the standard library's
    recursive helpers (ast.unparse, ast.dump)."""

    code = "HPG999"
    name = "recursive-reader"
    message = "{path}"
    fix_title = "-"
    modes = frozenset({"base", "derived", "train"})

    def check(self, package):
        for source in package.python_files():
            if source.python is not None:
                ast.NodeVisitor().visit(source.python)
                ast.unparse(source.python)
                ast.dump(source.python)
        return iter(())


@pytest.mark.parametrize("depth", [300, 900, 2900])
def test_deep_but_parseable_python_never_breaks_a_recursive_rule(tmp_path, depth):
    """Python parses expressions about 3000 levels deep, deeper than the recursion limit lets a
    recursive visitor go; the reviewer hands rules no tree deeper than real code gets."""
    text = "x = " + "a + " * depth + "a\n"
    report = review_over(tmp_path, {"src/model.py": text}, rules=[RecursiveReader])
    assert report.ready
    everything = review_over(tmp_path / "all", {"src/model.py": text})
    assert "src/model.py" in findings_at(everything, "HPG003")


@pytest.mark.parametrize("tool", ['[tool]\nhpogen = "x"\n', "[tool.hpogen]\nreview = 3\n",
                                  '[tool.hpogen.review]\nignore = "HPG1"\nselect = [1, "", "nope"]\n',
                                  "tool = []\n"])
def test_strange_review_settings(tmp_path, tool):
    pyproject = golden_text("pyproject.toml", "base")
    review_over(tmp_path, {"pyproject.toml": (tool + pyproject) if tool.startswith("tool") else pyproject + tool})


@pytest.mark.parametrize("text", ["a = " + "[" * 10_000 + "]" * 10_000 + "\n", "a = " + "{b = " * 10_000 + "1" + "}" * 10_000,
                                  "[" * 10_000, "a.b" + ".c" * 3_000 + " = 1\n", "a = 1" * 100_000])
def test_deeply_nested_toml(tmp_path, text):
    report = review_over(tmp_path, {"pyproject.toml": text})
    assert not report.ready


def test_warnings_of_the_reviewed_code_are_not_raised(tmp_path):
    """ast.parse warns about the reviewed code (an invalid escape); under -W error that warning
    would fail the parse and report a syntax error that is not there."""
    text = golden_text("src/model.py", "base") + '\nPATTERN = "\\d+"\n'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = review_over(tmp_path, {"src/model.py": text}, select=("HPG0",))
    assert report.ready, report.findings


@pytest.mark.parametrize("mode", ["base", "train"])
def test_long_method_chain_takes_linear_time(tmp_path, mode):
    """`a().a()....b`: a helper that looked at a call's callee twice took 2**n steps for n calls.
    In a process of its own, so a relapse fails the test instead of hanging it."""
    name = "train.py" if mode == "train" else "src/main.py"
    folder = lay_over(GOOD[mode], tmp_path / "package", {name: "x = " + "a()." * 45 + "b\n"})
    result = run_cli(folder, "--format", "json", timeout=60)
    assert result.returncode in (0, 1), result.stderr
    assert "HPG000" not in {f["code"] for f in json.loads(result.stdout)["findings"]}
