"""Tests generated from every rule's VALID and INVALID examples, and the rules' own shape."""

from __future__ import annotations

import re

import pytest
from review_support import review_example

from hpogen.review.registry import all_rules
from hpogen.review.rule import DOC_SECTIONS

RULES = all_rules()
CASES = [(rule, kind, i, example) for rule in RULES for kind in ("VALID", "INVALID")
         for i, example in enumerate(getattr(rule, kind))]


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES,
                         ids=[f"{r.code}-{k}-{i}" for r, k, i, _ in CASES])
def test_example(rule, kind, index, example, tmp_path):
    report = review_example(rule, example, tmp_path)
    codes = [f.code for f in report.findings]
    if kind == "VALID":
        assert codes == [], [f.message for f in report.findings]
    else:
        assert rule.code in codes, f"{rule.code} missed its INVALID example {index}"
        assert set(codes) == {rule.code}, [f.message for f in report.findings]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_shape(rule):
    assert re.fullmatch(r"HPG\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.VALID and rule.INVALID, "a rule needs VALID and INVALID examples"
    assert list(rule.doc_sections()) == list(DOC_SECTIONS), rule.doc_sections().keys()
    assert rule.message and rule.fix_title and rule.modes
    assert all(example.mode in rule.modes for example in rule.VALID + rule.INVALID)


def test_codes_and_names_are_unique():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
