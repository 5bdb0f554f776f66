"""The mutation corpus of `hpogen review` (benchmarks/review_mutants.py) as a test.

Every mutant is a golden output with one requirement broken and the one rule code meant to
catch it: at least 95% must be caught by that rule, and every one by some rule. The unmutated
goldens must review with no finding at all, so that a catch means something.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from hpogen.review.engine import review

CORPUS_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "review_mutants.py"


def load_corpus():
    """benchmarks/ is not a package: import review_mutants.py by its path."""
    spec = importlib.util.spec_from_file_location("review_mutants", CORPUS_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building a class
    spec.loader.exec_module(module)
    return module


corpus = load_corpus()


@pytest.fixture(scope="module")
def results():
    return corpus.run_corpus()


def describe(result) -> str:
    found = ", ".join(result.found) or "no finding"
    return f"{result.name} ({result.mode} {result.source}, meant for {result.code}): {found}"


def test_corpus_is_large_and_covers_every_code_and_mode():
    assert len(corpus.MUTANTS) >= 60
    meant = {m.code for m in corpus.MUTANTS}
    assert set(corpus.CODES) <= meant, sorted(set(corpus.CODES) - meant)
    assert {m.mode for m in corpus.MUTANTS} == {"base", "derived", "train"}


def test_mutants_are_caught_by_their_intended_rule(results):
    assert len(results) >= 60
    intended, _ = corpus.rates(results)
    missed = [describe(r) for r in results if not r.caught]
    assert intended >= corpus.TARGET_RATE, (
        f"{intended:.1%} caught by the intended rule (at least {corpus.TARGET_RATE:.0%} needed); "
        "missed:\n" + "\n".join(missed))


def test_every_mutant_is_caught_by_some_rule(results):
    missed = [describe(r) for r in results if not r.caught_any]
    assert not missed, "no rule reports these mutants:\n" + "\n".join(missed)


@pytest.mark.parametrize(("name", "mode", "source"), corpus.GOLDEN_CASES,
                         ids=[case[0] for case in corpus.GOLDEN_CASES])
def test_unmutated_golden_reviews_clean(name, mode, source):
    folder, base = corpus.golden_folder(source, mode)
    report = review(folder, mode, base)
    assert report.findings == (), [f"{f.path}:{f.row}: {f.code} {f.message}" for f in report.findings]
