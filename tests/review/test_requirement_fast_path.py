"""HPG203's regex fast path never accepts a requirement that packaging's PEP 508 parser refuses."""

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from hpogen.review.rules.invalid_requirement import SIMPLE, requirement_error


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab1.-_[],<>=!~ 09*;@", min_size=1, max_size=16))
def test_fast_path_agrees_with_packaging(text):
    try:
        Requirement(text)
        valid = True
    except InvalidRequirement:
        valid = False
    if SIMPLE.match(text):
        assert valid, text
    assert (requirement_error(text) is None) == valid, text
