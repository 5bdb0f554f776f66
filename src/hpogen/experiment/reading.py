"""Read a MethodSpec by the tables of rules/experiment/method.toml: its family and the facts its text states.

Every fact records the rule that found it and the sentence it came from; a fact the text does
not state gets the table's default and the reason for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import HpogenError
from ..tables import table
from .method import MethodSpec

# where facts are looked for first: the section that defines the experiment
SECTION_ORDER = ("Experimental Setup", "Methods", "Experimental Code", "Experimental Design", "Open Problems",
                 "Expected Result", "Expected Conclusion")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Fact:
    """One fact about the method: its value, the rule that set it, and where it came from."""

    name: str
    value: Any
    rule: str
    source: str


@dataclass(frozen=True)
class MethodReading:
    family: str
    family_rule: str
    family_reason: str
    facts: tuple[Fact, ...]
    notes: tuple[str, ...] = ()
    # what the method names but the package does not implement (so never runs)
    not_implemented: tuple[str, ...] = ()

    def fact(self, name: str) -> Any:
        for fact in self.facts:
            if fact.name == name:
                return fact.value
        raise KeyError(name)

    def explain_rows(self) -> list[tuple[str, str, str, str]]:
        rows = [("family", self.family, self.family_rule, self.family_reason)]
        rows += [(f.name, _show(f.value), f.rule, f.source) for f in self.facts]
        rows += [("note", "", "HPG-METHOD-NOTE", note) for note in self.notes]
        return rows


def families() -> list[str]:
    return list(table("method")["families"]["order"])


def read_method(spec: MethodSpec, family: str | None = None) -> MethodReading:
    """The family (chosen by the rules, or given) and every fact that family needs."""
    rules = table("method")
    sections = spec.sections()
    if family is not None:
        if family not in families():
            raise HpogenError(f"unknown method family {family!r} (families: {', '.join(families())})")
        chosen, reason = family, "given with --method-family"
    else:
        chosen, reason = _match_family(sections, rules["families"])
    facts = tuple(read_fact(name, rules["facts"][name], sections) for name in rules["family_facts"][chosen])
    missing = _not_implemented(chosen, facts, rules)
    notes = tuple(note for name, note in rules["notes"].items() if _applies(name, facts))
    if missing:
        notes = (f"not implemented, so not run: {', '.join(missing)}", *notes)
    return MethodReading(chosen, rules["families"]["id"], reason, facts, notes, missing)


def _match_family(sections: dict[str, str], rule: dict[str, Any]) -> tuple[str, str]:
    text = "\n".join(sections.values())
    for name in rule["order"]:
        entry = rule[name]
        if all(re.search(p, text, re.IGNORECASE) for p in entry["requires"]):
            found = next((m for p in entry["any"] if (m := re.search(p, text, re.IGNORECASE))), None)
            if found is not None:
                return name, f"{entry['title']}: the text says {found.group(0)!r}"
    raise HpogenError(
        f"the method matches no known family (families: {', '.join(rule['order'])}); choose one with --method-family"
    )


def read_fact(name: str, rule: dict[str, Any], sections: dict[str, str]) -> Fact:
    """A fact from the first section (in SECTION_ORDER, or the rule's own) whose text matches."""
    ordered = [s for s in rule.get("sections", SECTION_ORDER) if s in sections]
    found = _search(rule, sections, ordered)
    if not found and "sections" in rule:
        found = _search(rule, sections, [s for s in SECTION_ORDER if s in sections])
    if not found:
        return Fact(name, rule["default"], rule["id"], f"default: {rule['default_reason']}")
    values = [value for value, _, _ in found]
    _, section, sentence = found[0]
    value = list(dict.fromkeys(values)) if rule["kind"] == "list" else values[0]
    return Fact(name, value, rule["id"], f"{section}: {sentence}")


def _search(rule: dict[str, Any], sections: dict[str, str], order: list[str]) -> list[tuple[Any, str, str]]:
    found = []
    for section in order:
        text = sections[section]
        for entry in rule["patterns"]:
            pattern = entry[0] if isinstance(entry, list) else entry
            for match in re.finditer(pattern, text, re.IGNORECASE):
                value = entry[1] if isinstance(entry, list) and len(entry) > 1 else _number(match.group(1), rule["kind"])
                found.append((value, section, _sentence(text, match.start())))
                if rule["kind"] != "list":
                    return found
    if rule["kind"] == "list":
        # in the order of the rule's patterns, so the same text always gives the same list
        names = [entry[1] for entry in rule["patterns"]]
        found.sort(key=lambda item: names.index(item[0]))
    return found


def _number(text: str, kind: str) -> Any:
    value = float(text)
    if kind == "integer":
        return int(value)
    if kind == "percent":
        return value / 100.0 if value > 1 else value
    return value


def _sentence(text: str, position: int) -> str:
    """The sentence of text around position, shortened to 160 characters."""
    start = 0
    for match in SENTENCE_END.finditer(text):
        if match.end() > position:
            sentence = text[start : match.start()]
            break
        start = match.end()
    else:
        sentence = text[start:]
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= 160 else sentence[:157] + "..."


def _applies(note: str, facts: tuple[Fact, ...]) -> bool:
    """Whether a note of rules/experiment/method.toml [notes] concerns this method: NAME_in_FACT keys."""
    value, _, fact = note.partition("_in_")
    return any(f.name == fact and value in f.value for f in facts)


def _not_implemented(family: str, facts: tuple[Fact, ...], rules: dict[str, Any]) -> tuple[str, ...]:
    """Schedulers the method names that the package does not implement."""
    named = next((f.value for f in facts if f.name == "schedulers"), [])
    implemented = rules["facts"]["schedulers"]["implemented"]
    return tuple(s for s in named if s not in implemented)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
