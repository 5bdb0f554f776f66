"""Every review rule, found by listing the rules/ folder: adding a rule is adding one file."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from . import rules as rules_package
from .rule import Rule


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """The rule classes, in code order."""
    found = []
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Rule) and value is not Rule
                  and value.__module__ == module.__name__]
    return tuple(sorted(found, key=lambda rule: rule.code))


def rule_by_code(code: str) -> type[Rule] | None:
    return next((rule for rule in all_rules() if rule.code == code.upper()), None)


def matches(code: str, selectors: list[str]) -> bool:
    """Whether a code is named by any selector: a whole code, a prefix (HPG2) or ALL."""
    return any(s == "ALL" or code.startswith(s) for s in selectors)
