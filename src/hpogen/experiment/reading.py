"""Read a MethodSpec by the rules of rules/experiment/: its family, the catalogue changes it makes,
and the facts its text states.

Every fact records the rule that found it and the sentence it came from; a fact the text does
not state gets the table's default and the reason for it. A dataset or model that cannot run
here gets a stand-in, and a change the catalogue lacks gets a placeholder: neither is silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import HpogenError
from ..tables import table
from .families import changes_of, family, family_names, family_rules
from .method import MethodSpec

# where facts are looked for first: the section that defines the experiment
SECTION_ORDER = ("Experimental Setup", "Methods", "Experimental Code", "Experimental Design", "Open Problems",
                 "Expected Result", "Expected Conclusion")
# where a method says what it does, so where its changes are read
CHANGE_SECTIONS = ("Methods", "Experimental Setup", "Experimental Code", "Experimental Design")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Fact:
    """One fact about the method: its value, the rule that set it, and where it came from."""

    name: str
    value: Any
    rule: str
    source: str


@dataclass(frozen=True)
class Change:
    """A catalogue change the method makes: where it hooks in, why it was read, its parameters."""

    name: str
    title: str
    hook: str
    rule: str
    evidence: str
    source: str
    params: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Placeholder:
    """The method's own change, not in the catalogue: left as METHOD_PLACEHOLDER at a hook."""

    hook: str
    rule: str
    reason: str
    quote: tuple[str, ...]


@dataclass(frozen=True)
class StandIn:
    """A dataset or model the method names that cannot run here, and the catalogue entry used instead."""

    kind: str
    named: str
    stand_in: str
    rule: str
    reason: str
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
    changes: tuple[Change, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()
    stand_ins: tuple[StandIn, ...] = ()

    def fact(self, name: str) -> Any:
        """A fact of the family, or a parameter of one of the method's changes."""
        for fact in self.facts + tuple(p for c in self.changes for p in c.params):
            if fact.name == name:
                return fact.value
        raise KeyError(name)

    def explain_rows(self) -> list[tuple[str, str, str, str]]:
        rows = [("family", self.family, self.family_rule, self.family_reason)]
        rows += [(f.name, _show(f.value), f.rule, f.source) for f in self.facts]
        for change in self.changes:
            rows.append(("change", change.name, change.rule, f"{change.title}: {change.evidence}"))
            rows += [(f"  {change.name}.{p.name}", _show(p.value), p.rule, p.source) for p in change.params]
        rows += [(f"stand-in {s.kind}", f"{s.named} -> {s.stand_in}", s.rule, f"{s.reason} ({s.source})")
                 for s in self.stand_ins]
        rows += [("placeholder", f"METHOD_PLACEHOLDER at {p.hook}", p.rule, p.reason) for p in self.placeholders]
        rows += [("note", "", "HPG-METHOD-NOTE", note) for note in self.notes]
        return rows

    def explain_json(self) -> dict[str, Any]:
        """The explain table as one object: the family, the changes with their parameters and
        the sentences they came from, the stand-ins, the placeholders, and the other facts."""
        def fact(f: Fact) -> dict[str, Any]:
            return {"value": f.value, "rule": f.rule, "source": f.source}

        return {
            "family": self.family,
            "family_rule": self.family_rule,
            "family_reason": self.family_reason,
            "modifications": [
                {"name": c.name, "title": c.title, "hook": c.hook, "rule": c.rule, "evidence": c.evidence,
                 "citation": c.source, "parameters": {p.name: fact(p) for p in c.params}}
                for c in self.changes
            ],
            "stand_ins": [
                {"kind": s.kind, "named": s.named, "stand_in": s.stand_in, "rule": s.rule, "reason": s.reason,
                 "source": s.source}
                for s in self.stand_ins
            ],
            "placeholders": [
                {"name": "METHOD_PLACEHOLDER", "hook": p.hook, "rule": p.rule, "reason": p.reason,
                 "quote": list(p.quote)}
                for p in self.placeholders
            ],
            "facts": {f.name: fact(f) for f in self.facts},
            "not_implemented": list(self.not_implemented),
            "notes": list(self.notes),
        }


def read_method(spec: MethodSpec, family_name: str | None = None) -> MethodReading:
    """The family (chosen by the rules, or given), the changes the method makes and every fact
    that family needs; stand-ins for what cannot run here, a placeholder for an unknown change."""
    from .stand_ins import resolve_stand_ins

    rules = table("method")
    sections = spec.sections()
    if family_name is not None:
        chosen, reason = family(family_name)["name"], "given with --method-family"
    else:
        chosen, reason = _match_family(sections, rules["proposal"])
    rules_of_family = family(chosen)
    facts = [read_fact(name, rules["facts"][name], sections) for name in rules_of_family["facts"]]
    facts += [read_fact(name, {"id": rules_of_family["id"], **entry}, sections)
              for name, entry in rules_of_family.get("params", {}).items()]
    facts, stand_ins = resolve_stand_ins(facts, sections, rules_of_family)
    changes = tuple(_read_changes(chosen, sections))
    placeholders = () if changes else _placeholders(rules_of_family, sections, rules["proposal"])
    missing = _not_implemented(facts, rules)
    notes = tuple(note for name, note in rules["notes"].items() if _applies(name, facts))
    if missing:
        notes = (f"not implemented, so not run: {', '.join(missing)}", *notes)
    return MethodReading(chosen, rules_of_family["id"], reason, tuple(facts), notes, missing, changes,
                         placeholders, tuple(stand_ins))


def _matches(pattern: str, text: str) -> re.Match | None:
    return re.search(pattern, text, re.IGNORECASE)


def _proposes(sections: dict[str, str], proposal: dict[str, Any]) -> re.Match | None:
    """Where the method says it proposes something of its own (Methods or Open Problems)."""
    text = "\n".join(sections[s] for s in ("Methods", "Open Problems") if s in sections)
    return next((m for p in proposal["patterns"] if (m := _matches(p, text))), None)


def _match_family(sections: dict[str, str], proposal: dict[str, Any]) -> tuple[str, str]:
    """The family with the most evidence: each of its `any` patterns counts three times when it
    matches the Methods section, once when it matches elsewhere; ties go to the earlier family.
    A plain_only family (the baseline) never takes a method that proposes something."""
    text = "\n".join(sections.values())
    methods = sections.get("Methods", "")
    best, best_score, evidence = None, 0, None
    for name, entry in family_rules().items():
        if not all(_matches(p, text) for p in entry["requires"]):
            continue
        hits = [m for p in entry["any"] if (m := _matches(p, text))]
        if not hits or entry.get("plain_only") and _proposes(sections, proposal):
            continue
        score = sum(3 if _matches(p, methods) else 1 for p in entry["any"] if _matches(p, text))
        if score > best_score:
            best, best_score, evidence = name, score, hits[0]
    if best is None:
        raise HpogenError(
            f"the method matches no known family (families: {', '.join(family_names())}); "
            "choose one with --method-family"
        )
    return best, f"{family(best)['title']}: the text says {evidence.group(0)!r}"


def _read_changes(family_name: str, sections: dict[str, str]):
    """The catalogue changes of the family whose every `requires` and one `any` pattern match the
    sections that say what the method does (a change named only among the open problems or the
    expected conclusions, "acts like label smoothing", is not switched on)."""
    text = "\n".join(sections[s] for s in CHANGE_SECTIONS if s in sections)
    for name, rules in changes_of(family_name).items():
        if not all(_matches(p, text) for p in rules.get("requires", [])):
            continue
        found = next((m for p in rules["any"] if (m := _matches(p, text))), None)
        if found is None:
            continue
        params = tuple(read_fact(param, {"id": rules["id"], **entry}, sections)
                       for param, entry in rules.get("params", {}).items())
        yield Change(name, rules["title"], rules["hook"], rules["id"], f"the text says {found.group(0)!r}",
                     rules["source"], params)


def _placeholders(rules: dict[str, Any], sections: dict[str, str], proposal: dict[str, Any]) -> tuple[Placeholder, ...]:
    """One placeholder when the method proposes a change the catalogue lacks: at the first of
    the family's hooks its Methods text points to, else at the family's default hook."""
    said = _proposes(sections, proposal)
    hooks = rules.get("hooks", {})
    if said is None or not hooks:
        return ()
    methods = sections.get("Methods", "")
    hook = next((h for h, entry in hooks.items() if any(_matches(p, methods) for p in entry["patterns"])),
                rules["default_hook"])
    sentences = [" ".join(s.split()) for s in SENTENCE_END.split(methods) if s.strip()]
    catalogue = ", ".join(changes_of(rules["name"])) or "none"
    reason = (f"the method proposes a change ({said.group(0)!r}) that matches no catalogue change of "
              f"{rules['name']} ({catalogue}): left for you to write at the {hook} hook")
    return (Placeholder(hook, "HPG-METHOD-PLACEHOLDER", reason, tuple(sentences[:4])),)


def read_fact(name: str, rule: dict[str, Any], sections: dict[str, str]) -> Fact:
    """A fact from the first section (in SECTION_ORDER, or the rule's own) whose text matches."""
    ordered = [s for s in rule.get("sections", SECTION_ORDER) if s in sections]
    found = _search(rule, sections, ordered)
    if not found and "sections" in rule:
        found = _search(rule, sections, [s for s in SECTION_ORDER if s in sections])
    if not found:
        default = rule["default"]
        if rule["kind"] == "percent" and isinstance(default, float | int) and default > 1:
            default = default / 100.0
        return Fact(name, default, rule["id"], f"default: {rule['default_reason']}")
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


def _applies(note: str, facts: list[Fact]) -> bool:
    """Whether a note of rules/experiment/method.toml [notes] concerns this method: NAME_in_FACT keys."""
    value, _, fact = note.partition("_in_")
    return any(f.name == fact and value in f.value for f in facts)


def _not_implemented(facts: list[Fact], rules: dict[str, Any]) -> tuple[str, ...]:
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
