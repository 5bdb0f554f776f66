"""`hpogen review` as users and CI run it: a process of its own, its exit code, its three output
formats, its usage errors, --explain, inline suppression, the reviewed package's own settings,
and the pre-commit hook that runs it.

The packages with findings use only the file and structure rules (HPG0, HPG1), selected
explicitly, so these tests do not move when other rules are added.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from review_support import GOLDEN, GOOD, ROOT, lay_over

from hpogen.review.rule import DOC_SECTIONS

HPOGEN = str(Path(sys.executable).with_name("hpogen"))
RUFF_FIELDS = {"cell", "code", "end_location", "filename", "fix", "location", "message", "noqa_row", "url"}
FINDING_LINE = re.compile(r"^(?P<path>[^:]+):(?P<row>\d+):(?P<col>\d+): (?P<code>HPG\d{3}) \S")
STRUCTURE = ("--select", "HPG0,HPG1")
# three findings of three rules: an empty module, a syntax error, a module beyond the eight
DEFECTS = {"src/evaluate.py": "", "src/model.py": "def build(name)\n    return name\n",
           "src/utils.py": "def helper():\n    return 1\n"}


def hpogen(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([HPOGEN, *map(str, args)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    return lay_over(GOOD["base"], tmp_path_factory.mktemp("cli") / "broken", DEFECTS)


def test_golden_packages_are_ready():
    for case in ("ohgw", "baseline"):
        expected = GOLDEN / "experiment" / case / "expected"
        result = hpogen("review", expected / "derived", "--base", expected / "base")
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout.splitlines()[-1]) == {"is_base_code_ready": True, "base_code_issue": ""}
    assert hpogen("review", GOOD["base"]).returncode == 0
    assert hpogen("review", GOOD["train"]).returncode == 0


def test_text_output(broken):
    result = hpogen("review", broken, *STRUCTURE)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    verdict = json.loads(lines[-1])
    assert verdict["is_base_code_ready"] is False
    assert verdict["base_code_issue"].startswith("3 problems. ")
    found = [FINDING_LINE.match(line) for line in lines if not line.startswith("  help: ")][:-2]
    assert all(found), lines
    assert {(Path(m["path"]).relative_to(broken).as_posix(), m["code"]) for m in found} == {
        ("src/evaluate.py", "HPG002"), ("src/model.py", "HPG003"), ("src/utils.py", "HPG102")}
    assert int(found[1]["row"]) == 1 and int(found[1]["col"]) >= 1
    assert lines[-2] == "3 findings (base mode)"


def test_json_output(broken):
    result = hpogen("review", broken, "--format", "json", *STRUCTURE)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert {"is_base_code_ready", "base_code_issue", "findings"} <= set(document)
    assert document["is_base_code_ready"] is False and document["base_code_issue"]
    assert len(document["findings"]) == 3
    for finding in document["findings"]:
        assert RUFF_FIELDS <= set(finding), finding
        assert re.fullmatch(r"HPG\d{3}", finding["code"])
        assert Path(finding["filename"]).is_absolute() and Path(finding["filename"]).exists()
        for place in ("location", "end_location"):
            assert set(finding[place]) == {"row", "column"}
            assert all(isinstance(v, int) and v >= 1 for v in finding[place].values())
        assert finding["noqa_row"] == finding["location"]["row"]
        assert finding["cell"] is None and finding["url"] is None
        assert finding["fix"]["message"] and finding["fix"]["edits"] == []


def test_sarif_output(broken):
    result = hpogen("review", broken, "--format", "sarif", *STRUCTURE)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hpogen-review" and driver["version"]
    rules = driver["rules"]
    assert all(re.fullmatch(r"HPG\d{3}", r["id"]) and r["shortDescription"]["text"] for r in rules)
    assert len({r["id"] for r in rules}) == len(rules)
    assert len(run["results"]) == 3
    for result_ in run["results"]:
        assert re.fullmatch(r"HPG\d{3}", result_["ruleId"])
        assert result_["level"] in {"none", "note", "warning", "error"}
        assert result_["message"]["text"]
        assert rules[result_["ruleIndex"]]["id"] == result_["ruleId"]
        [location] = result_["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert isinstance(physical["region"]["startLine"], int) and physical["region"]["startLine"] >= 1
        assert physical["region"].get("startColumn", 1) >= 1


@pytest.mark.parametrize(("args", "says"), [
    (("review", "/no/such/folder"), "not a folder"),
    (("review", GOOD["base"], "--mode", "nonsense"), "--mode"),
    (("review", GOOD["base"], "--select", "HPG999"), "--select"),
    (("review", GOOD["base"], "--ignore", "XYZ1"), "--ignore"),
    (("review", GOOD["base"], "--format", "xml"), "--format"),
    (("review", "--explain", "HPG999"), "--explain"),
    (("review", GOOD["derived"], "--base", "/no/such/base"), "--base"),
    (("review",), "name the folder"),
], ids=["missing-folder", "mode", "select", "ignore", "format", "explain", "base", "no-folder"])
def test_usage_errors(args, says):
    result = hpogen(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("hpogen: error: ") and says in line, line


def test_explain():
    result = hpogen("review", "--explain", "HPG003")
    assert result.returncode == 0
    assert result.stdout.startswith("# python-syntax-error (HPG003)")
    headings = re.findall(r"^## (.+)$", result.stdout, flags=re.M)
    assert headings == list(DOC_SECTIONS)
    assert hpogen("review", "--explain", "hpg003").stdout == result.stdout


def test_list():
    result = hpogen("review", "--list")
    assert result.returncode == 0
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"HPG001", "HPG002", "HPG003", "HPG101", "HPG102"} <= set(codes) and codes == sorted(codes)


def test_inline_suppression_hides_exactly_that_finding(tmp_path):
    folder = lay_over(GOOD["base"], tmp_path / "package", {
        "src/model.py": "def build(name)  # hpogen: ignore[HPG003]\n    return name\n",
        # the wrong code on the right line hides nothing
        "src/utils.py": "def helper():  # hpogen: ignore[HPG003]\n    return 1\n",
        # the right code on a line without the finding hides nothing
        "src/main.py": "def main(\n# hpogen: ignore[HPG003]\n",
    })
    result = hpogen("review", folder, "--format", "json", *STRUCTURE)
    found = {(Path(f["filename"]).name, f["code"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {("utils.py", "HPG102"), ("main.py", "HPG003")}
    text = hpogen("review", folder, *STRUCTURE).stdout.splitlines()
    assert text[-2] == "2 findings (base mode, 1 suppressed)"
    several = lay_over(GOOD["base"], tmp_path / "several", {
        "src/model.py": "def build(name)  # hpogen: ignore[HPG102, HPG003]\n    return name\n"})
    assert hpogen("review", several, *STRUCTURE).returncode == 0


@pytest.mark.parametrize(("settings", "expected"), [
    ('ignore = ["HPG102"]', {"HPG002", "HPG003"}),
    ('ignore = ["hpg0"]', {"HPG102"}),
    ('select = ["HPG002"]', {"HPG002"}),
    ('select = ["HPG0"]\nignore = ["HPG003"]', {"HPG002"}),
])
def test_package_settings_choose_the_rules(tmp_path, settings, expected):
    pyproject = (GOOD["base"] / "pyproject.toml").read_text(encoding="utf-8")
    folder = lay_over(GOOD["base"], tmp_path / "package",
                      {**DEFECTS, "pyproject.toml": f"{pyproject}\n[tool.hpogen.review]\n{settings}\n"})
    result = hpogen("review", folder, "--format", "json", *(() if "select" in settings else STRUCTURE))
    assert {f["code"] for f in json.loads(result.stdout)["findings"]} == expected


def test_select_flag_replaces_the_package_select_and_ignore_adds(tmp_path):
    pyproject = (GOOD["base"] / "pyproject.toml").read_text(encoding="utf-8")
    folder = lay_over(GOOD["base"], tmp_path / "package",
                      {**DEFECTS, "pyproject.toml": f'{pyproject}\n[tool.hpogen.review]\nselect = ["HPG002"]\n'})
    result = hpogen("review", folder, "--format", "json", "--select", "HPG1", "--ignore", "HPG003")
    assert {f["code"] for f in json.loads(result.stdout)["findings"]} == {"HPG102"}


def test_pre_commit_hook_declaration():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [h for h in hooks if h["id"] == "hpogen-review"]
    assert hook["entry"] == "hpogen review"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert {"id", "name", "entry", "language"} <= set(hook)
    result = subprocess.run([str(Path(sys.executable).with_name(hook["entry"].split()[0])),
                             *hook["entry"].split()[1:], "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--format" in result.stdout
