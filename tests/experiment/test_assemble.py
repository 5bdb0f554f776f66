"""Assembly steps of the experiment packages as before/after pairs, and the literal renderer as
a property: whatever plain data goes in comes back unchanged from the generated code."""

from __future__ import annotations

import ast
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hpogen.experiment.assemble import compose_modules, insert_before, replace_definitions
from hpogen.experiment.splice import Ref, fill, join, literal, statements

CORE = '''"""Core."""

import json

# the entry point
def main():
    return json.dumps({})
'''

FAMILY = '''"""Family part."""

import json
import math


@staticmethod
def helper():
    return math.pi
'''


def test_compose_puts_family_definitions_before_main_and_merges_imports():
    after = compose_modules(CORE, FAMILY)
    assert after == '''"""Core.

Family part.
"""

import json
import math


@staticmethod
def helper():
    return math.pi

# the entry point
def main():
    return json.dumps({})
'''


def test_insert_before_registers_parts_once_ahead_of_the_registry():
    base = 'import os\n\nLIMIT = 3\n\nCHANGES = {"a": 1}\n\n# end of module\n'
    part = statements('"""Dropped."""\nimport os\nimport re\n\nX = 1\n\n\ndef change():\n    return re\n')[0]
    body, footer = insert_before(base, [part, part], "CHANGES")
    assert join(body, footer) == ('import os\nimport re\n\nLIMIT = 3\n\nX = 1\n\n\ndef change():\n    return re\n'
                                  '\nCHANGES = {"a": 1}\n\n# end of module\n')


def test_replace_definitions_swaps_the_placeholder_for_the_entry():
    base = 'import torch\n\nDATASET_PLACEHOLDER = True\n\n\ndef load():\n    raise NotImplementedError\n\n\ndef keep():\n    return 1\n'
    entry = 'import numpy as np\n\nSIZE = 8\n\n\ndef load():\n    return np.zeros(SIZE)\n'
    after = replace_definitions(base, entry, "DATASET_PLACEHOLDER")
    assert after == ('import torch\nimport numpy as np\n\nSIZE = 8\n\n\ndef load():\n    return np.zeros(SIZE)\n'
                     '\n\ndef keep():\n    return 1\n')


def test_fill_replaces_holes_after_multibyte_text_on_the_same_line():
    # ast's column offsets count UTF-8 bytes: the "é" before the hole must not shift it
    after = fill('NAME = "é"; CHANGES = {changes}\nDESCRIPTION = {description}\n',
                 changes={"hook": {"change": Ref("apply_change")}}, description=["a\n\"b\"", None, (1.5,)])
    assert after == 'NAME = "é"; CHANGES = {"hook": {"change": apply_change}}\nDESCRIPTION = ["a\\n\\"b\\"", None, (1.5,)]\n'


def test_fill_refuses_an_unknown_hole_and_unrenderable_values():
    with pytest.raises(KeyError, match="missing"):
        fill("X = {present}\n", present=1, missing=2)
    with pytest.raises(ValueError, match="non-finite"):
        fill("X = {x}\n", x=math.inf)
    with pytest.raises(ValueError, match="not a Python name"):
        Ref("os.system('x')")
    with pytest.raises(TypeError):
        literal({1, 2})


def test_statements_keep_decorators_comments_and_the_footer():
    body, footer = statements("# header\nimport os\n\n\n@decorate\ndef f():\n    pass\n# trailing\n")
    assert [(s.kind, s.name) for s in body] == [("import", None), ("other", "f")]
    assert body[0].lead == "# header\n" and body[1].code.startswith("@decorate\n")
    assert footer == "# trailing\n"
    assert body[1].with_comments(["why"]).text == "\n\n# why\n@decorate\ndef f():\n    pass\n"


def test_statements_refuse_two_statements_on_a_line():
    with pytest.raises(ValueError, match="more than one statement"):
        statements("import os; import re\n")


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(plain)
def test_literal_round_trips_plain_data(value):
    assert ast.literal_eval(literal(value)) == value


def test_fill_finds_holes_inside_functions_and_decorators_but_not_in_strings():
    source = ('@register({kind})\ndef f(x={width}):\n    """Uses {width} and f"{kind}"."""\n'
              '    return [x, f"{kind}", {width}]\n\n\nclass C:\n    SIZE = {width}\n')
    after = fill(source, kind="cnn", width=3)
    assert after == ('@register("cnn")\ndef f(x=3):\n    """Uses {width} and f"{kind}"."""\n'
                     '    return [x, f"{kind}", 3]\n\n\nclass C:\n    SIZE = 3\n')
