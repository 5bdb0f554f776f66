"""The search space as ConfigSpace JSON and as a config_space.py module."""

from __future__ import annotations

import json
from typing import Any

import libcst as cst

from ..codegen import fill_template, to_node
from ..decide.decisions import Decisions, Hyperparameter

# ConfigSpace 1.2 serialisation format
FORMAT_VERSION = 0.4
MODULE_VERSION = "1.2.0"


def space_name(d: Decisions) -> str:
    return f"{d.spec.slug}-{d.spec.type}"


def configspace_dict(d: Decisions) -> dict[str, Any]:
    """What ConfigSpace's `cs.to_json` writes for this space (hyperparameters sorted by name)."""
    hps = sorted(d.hyperparameters, key=lambda hp: hp.name)
    return {
        "name": space_name(d),
        "hyperparameters": [_hp_json(hp) for hp in hps],
        "conditions": [_condition_json(hp) for hp in hps if hp.parent],
        "forbiddens": [],
        "python_module_version": MODULE_VERSION,
        "format_version": FORMAT_VERSION,
    }


def configspace_json(d: Decisions) -> str:
    return json.dumps(configspace_dict(d), indent=2) + "\n"


def _meta(hp: Hyperparameter) -> dict[str, str]:
    return {"rule": hp.rule, "reason": hp.reason}


def _hp_json(hp: Hyperparameter) -> dict[str, Any]:
    if hp.kind == "categorical":
        return {"type": "categorical", "name": hp.name, "choices": list(hp.choices), "weights": None,
                "default_value": hp.default, "meta": _meta(hp)}
    if hp.kind == "ordinal":
        return {"type": "ordinal", "name": hp.name, "sequence": list(hp.choices), "default_value": hp.default, "meta": _meta(hp)}
    kind = "uniform_int" if hp.kind == "int" else "uniform_float"
    return {"type": kind, "name": hp.name, "lower": hp.lower, "upper": hp.upper, "default_value": hp.default,
            "log": hp.log, "meta": _meta(hp)}


def _condition_json(hp: Hyperparameter) -> dict[str, Any]:
    if len(hp.values) == 1:
        return {"type": "EQ", "child": hp.name, "parent": hp.parent, "value": hp.values[0]}
    return {"type": "IN", "child": hp.name, "parent": hp.parent, "values": list(hp.values)}


def render_config_space(d: Decisions) -> str:
    """config_space.py: one constructor call per dimension, then the conditions."""
    hps = sorted(d.hyperparameters, key=lambda hp: hp.name)
    return fill_template(
        "bundle/config_space.py",
        space_name=space_name(d),
        space_seed=d.seed,
        hyperparameters=cst.List([cst.Element(_hp_call(hp)) for hp in hps]),
        conditions=cst.List([cst.Element(_condition_call(hp)) for hp in hps if hp.parent]),
    )


def _constructor(hp: Hyperparameter) -> tuple[str, list[cst.Arg]]:
    name = cst.Arg(to_node(hp.name))
    if hp.kind in ("categorical", "ordinal"):
        args = [name, cst.Arg(to_node(list(hp.choices))), _kw("default", hp.default)]
        if hp.kind == "ordinal":
            args.append(_kw("ordered", True))
        return "Categorical", args
    args = [name, cst.Arg(to_node((hp.lower, hp.upper))), _kw("default", hp.default)]
    if hp.log:
        args.append(_kw("log", True))
    return ("Integer" if hp.kind == "int" else "Float"), args


def _hp_call(hp: Hyperparameter) -> cst.Call:
    func, args = _constructor(hp)
    return cst.Call(cst.Name(func), args=[*args, _kw("meta", _meta(hp))])


def _condition_class(hp: Hyperparameter) -> str:
    return "EqualsCondition" if len(hp.values) == 1 else "InCondition"


def _condition_call(hp: Hyperparameter) -> cst.Call:
    value = to_node(hp.values[0]) if len(hp.values) == 1 else to_node(list(hp.values))
    return cst.Call(
        cst.Name(_condition_class(hp)),
        args=[cst.Arg(_lookup(hp.name)), cst.Arg(_lookup(hp.parent)), cst.Arg(value)],
    )


def _lookup(name: str) -> cst.Subscript:
    return cst.Subscript(cst.Name("cs"), [cst.SubscriptElement(cst.Index(to_node(name)))])


def _kw(key: str, value: Any) -> cst.Arg:
    return cst.Arg(to_node(value), keyword=cst.Name(key), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
