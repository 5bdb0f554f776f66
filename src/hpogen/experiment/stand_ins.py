"""Stand-ins: the catalogue dataset and model a package runs when the method names ones that
cannot run here (rules/experiment/stand_ins.toml), or ones its family cannot use.

The data's kind (images or tokens) is decided first, by what the method names; the model must
be of the same kind and among the family's models. Every substitution is recorded with its
reason, so --explain shows it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..tables import table
from .reading import SECTION_ORDER, Fact, StandIn, _sentence


def kind_of(section: str, name: str) -> str:
    """images or tokens: what a catalogue dataset holds or a catalogue model reads."""
    return table("catalogue")[section][name].get("kind", "images")


def _named(kind: str, sections: dict[str, str]) -> tuple[dict[str, Any], str, str] | None:
    """The first stand-in entry of kind (datasets or models) the text names, its section and sentence."""
    rules = table("stand_ins")
    for entry in rules[kind]:
        for section in SECTION_ORDER:
            match = re.search(entry["pattern"], sections.get(section, ""), re.IGNORECASE)
            if match:
                return entry, section, _sentence(sections[section], match.start())
    return None


def _defaulted(fact: Fact) -> bool:
    return fact.source.startswith("default:")


def resolve_stand_ins(facts: list[Fact], sections: dict[str, str], family: dict[str, Any]) -> tuple[list[Fact], list[StandIn]]:
    """facts with the dataset and model facts replaced by runnable catalogue entries, and why."""
    by_name = {f.name: f for f in facts}
    if "dataset" not in by_name or "model" not in by_name:
        return facts, []
    rule = table("stand_ins")["id"]
    stand_ins: list[StandIn] = []
    dataset, model = by_name["dataset"], by_name["model"]
    for kind, fact in (("datasets", dataset), ("models", model)):
        found = _named(kind, sections) if _defaulted(fact) else None
        if found is not None:
            entry, section, sentence = found
            stand_ins.append(StandIn(kind[:-1], entry["named"], entry["stand_in"], rule, entry["reason"],
                                     f"{section}: {sentence}"))
            fact = replace(fact, value=entry["stand_in"], rule=rule, source=f"{section}: {sentence}")
            if kind == "datasets":
                dataset = fact
            else:
                model = fact
    catalogue = table("catalogue")
    allowed = [m for m in family["models"] if m in catalogue["models"]]
    if _defaulted(dataset) and not _defaulted(model) and kind_of("models", model.value) != "images":
        # the method names only a model: its data kind decides the dataset
        data_kind = kind_of("models", model.value)
        first = next(d for d in catalogue["datasets"] if kind_of("datasets", d) == data_kind)
        dataset = replace(dataset, value=first, source=f"default for {data_kind}: the method's model reads {data_kind}")
    data_kind = kind_of("datasets", dataset.value)
    if model.value not in allowed or kind_of("models", model.value) != data_kind:
        usable = [m for m in allowed if kind_of("models", m) == data_kind]
        if not usable:
            usable = [m for m in allowed if kind_of("models", m) == "images"]
            dataset = replace(dataset, value=table("method")["facts"]["dataset"]["default"], rule=rule,
                              source=f"the {family['name']} family runs no {data_kind} model")
            stand_ins.append(StandIn("dataset", str(by_name["dataset"].value), dataset.value, rule,
                                     f"the {family['name']} family runs on images only", dataset.source))
        if _defaulted(model):
            model = replace(model, value=usable[0], source=f"default: the {family['name']} family's first {data_kind} model")
        else:
            reason = f"{model.value} is not a {data_kind} model of the {family['name']} family ({', '.join(usable)})"
            stand_ins.append(StandIn("model", str(model.value), usable[0], rule, reason, model.source))
            model = replace(model, value=usable[0], rule=rule, source=reason)
    replaced = {"dataset": dataset, "model": model}
    return [replaced.get(f.name, f) for f in facts], stand_ins
