"""The two config files of a package: the experiment's facts and variations (basecode), and the
runs they expand into, one per variation and seed (derive).

Both files share one schema (written in the package's src/train.py docstring). Numbers are
written by PyYAML's own dumper, so `1e-3` comes out as `0.001` and reads back as a float.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..errors import HpogenError
from ..tables import table
from .families import change_rules, family
from .reading import MethodReading

PLACEHOLDER = "SPECIFIC_CONFIG_PLACEHOLDER"
# the package's own rule (src/main.py): safe as a folder name, at most 128 characters
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
CONFIG_FILES = {"smoke": "config/smoke_test.yaml", "full": "config/full_experiment.yaml"}


def _formatted(value: Any, reading: MethodReading) -> Any:
    """A control's setting: "{name}" alone is that fact's value, "x{name}" the text with it."""
    if not isinstance(value, str) or "{" not in value:
        return value
    whole = re.fullmatch(r"\{(\w+)\}", value)
    if whole:
        return reading.fact(whole.group(1))
    return re.sub(r"\{(\w+)\}", lambda m: str(reading.fact(m.group(1))), value)


def _wanted(control: dict[str, Any], reading: MethodReading) -> bool:
    """Whether the facts name a control ({fact: value} must each be among the fact's values)."""
    return all(value in reading.fact(fact) for fact, value in control.get("when", {}).items())


def method_variants(reading: MethodReading) -> list[tuple[str, dict[str, Any]]]:
    """The variants that run the method: all its changes together on the family's method arm,
    each change alone when there are several (an ablation), and each change's controls."""
    rules = family(reading.family)
    arm = dict(rules["arms"][rules["method_arm"]])
    catalogue = change_rules()
    names = [c.name for c in reading.changes] + ["method" for _ in reading.placeholders]
    if not names:
        return []
    shorts = [catalogue[n]["variant"] if n in catalogue else "method" for n in names]

    def with_changes(chosen: list[str]) -> dict[str, Any]:
        training = {**arm, "changes": chosen}
        for name in chosen:
            training.update(catalogue.get(name, {}).get("training", {}))
        return training

    found = [("-".join(shorts), with_changes(names))]
    if len(names) > 1:
        found += [(short, with_changes([name])) for name, short in zip(names, shorts, strict=True)]
    for name in names:
        for control in catalogue.get(name, {}).get("controls", []):
            if _wanted(control, reading):
                settings = {k: _formatted(v, reading) for k, v in control["training"].items()}
                found.append((_formatted(control["name"], reading), {**with_changes([name]), **settings}))
    return found


def variants(reading: MethodReading) -> list[dict[str, Any]]:
    """The variations of the experiment: the family's baseline arms, then the method's variants;
    for a family with an axis (the HPO schedulers), once per value the method names."""
    rules = family(reading.family)
    arms = [(name, dict(settings)) for name, settings in rules["arms"].items()]
    arms += method_variants(reading)
    if "axis" not in rules:
        return [{"variant": name, "training": copy.deepcopy(training)} for name, training in arms]
    implemented = table("method")["facts"][rules["axis"]]["implemented"]
    values = [v for v in reading.fact(rules["axis"]) if v in implemented] or [implemented[0]]
    return [
        {"variant": f"{value}-{name}", "training": {rules["axis_key"]: value, **copy.deepcopy(training)}}
        for value in values
        for name, training in arms
    ]


def shared_training(reading: MethodReading, scale: str) -> dict[str, Any]:
    """The training settings every run of one config file shares: the family's settings for the
    scale, and the facts, family parameters and change parameters the text states (the smoke scale keeps its own
    tiny sizes where it sets them)."""
    rules = table("method")
    settings = dict(family(reading.family)["settings"][scale])
    kept = set(settings) if scale == "smoke" else set()
    params = family(reading.family).get("params", {})
    stated = [(f, params[f.name].get("training", True) if f.name in params else rules["facts"][f.name].get("training", False))
              for f in reading.facts]
    catalogue = change_rules()
    stated += [(p, catalogue[c.name]["params"][p.name].get("training", True)) for c in reading.changes for p in c.params]
    for fact, destination in stated:
        if destination == "space":
            settings["search_space"] = {name: dict(rules["space"][name]) for name in fact.value}
        elif destination and fact.name not in kept:
            settings[fact.name] = fact.value
    return settings


def experiment_section(reading: MethodReading, scale: str) -> dict[str, Any]:
    """What both files say about the experiment, before any run exists."""
    seeds = 1 if scale == "smoke" else int(reading.fact("seeds"))
    return {
        "name": f"{reading.family}-experiment",
        "family": reading.family,
        "scale": scale,
        "method_dataset": reading.fact("dataset"),
        "method_model": reading.fact("model"),
        "seeds": list(range(seeds)),
        "training": shared_training(reading, scale),
        "changes": [c.name for c in reading.changes],
        "placeholders": [p.hook for p in reading.placeholders],
        "variants": variants(reading),
        "not_implemented": list(reading.not_implemented),
    }


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML text in block style, keys in insertion order. libyaml's emitter when PyYAML has it
    (a full config has thousands of nodes: about 3x faster), else PyYAML's own; both use the
    same Python representer, and the tests check they write the same bytes."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def base_config_text(reading: MethodReading, scale: str) -> str:
    """A base config file: the experiment section and a runs placeholder that derive fills."""
    header = (
        f"# {'Smoke test' if scale == 'smoke' else 'Full experiment'} of the {reading.family} experiment."
        " Schema: see src/train.py's docstring.\n"
    )
    body = dump_yaml({"experiment": experiment_section(reading, scale)})
    placeholder = (
        "# PLACEHOLDER: will be replaced with one run per variation and seed, for the derived dataset\n"
        "# and model (hpogen derive)\n"
        + dump_yaml({"runs": PLACEHOLDER})
    )
    return header + body + placeholder


def read_base_config(base_text: str, where: str) -> dict[str, Any]:
    """The experiment section of a base config file, refusing one basecode did not write."""
    import yaml

    try:
        # libyaml's parser where PyYAML has it: a full config is 80 KB, and the pure-Python
        # parser took a tenth of derive's time budget on it; both construct with SafeConstructor
        config = yaml.load(base_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise HpogenError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    experiment = config.get("experiment") if isinstance(config, dict) else None
    if not isinstance(experiment, dict) or config.get("runs") != PLACEHOLDER:
        raise HpogenError(f"{where}: not a base config of hpogen basecode (no experiment section or runs placeholder)")
    for key in ("method_dataset", "method_model", "seeds", "variants", "training"):
        if key not in experiment:
            raise HpogenError(f"{where}: no experiment.{key} (not written by hpogen basecode)")
    return experiment


# A seed no design uses: each variation's run is dumped once with it, then copied per seed
SEED_MARK = 987_654_321_987


def derived_config_text(base_text: str, experiment: dict[str, Any], dataset: str, model: str,
                        data_root: str | None, where: str) -> str:
    """A base config file (read by read_base_config) with its runs filled in: each variation, for each seed."""
    seen = set()
    for seed in experiment["seeds"]:
        for variant in experiment["variants"]:
            run_id = _run_id(variant, seed)
            if not RUN_ID.match(run_id) or run_id in seen:
                problem = "duplicate" if run_id in seen else "unsafe"
                raise HpogenError(f"{where}: {problem} run_id {run_id!r} (variant names must be unique, "
                                  "letters, digits, '-', '_' and '.')")
            seen.add(run_id)
    first = base_text.splitlines()[0] if base_text else ""
    header = first + "\n" if first.startswith("# ") else ""
    return header + dump_yaml({"experiment": experiment}) + runs_yaml(experiment, dataset, model, data_root)


def _run_id(variant: dict[str, Any], seed: int) -> str:
    return f"{variant['variant']}-s{seed}"


def _run(variant: dict[str, Any], seed: int, dataset: str, model: str, data_root: str | None) -> dict[str, Any]:
    return {
        "run_id": _run_id(variant, seed),
        "variant": variant["variant"],
        "dataset": dataset,
        "model": model,
        "data_root": data_root,
        "seed": seed,
        "training": copy.deepcopy(variant["training"]),  # a copy each: no YAML anchors
    }


def runs_yaml(experiment: dict[str, Any], dataset: str, model: str, data_root: str | None) -> str:
    """`runs:` and its list (each variation, for each seed), the bytes dump_yaml writes for it.
    A full config holds hundreds of runs that differ only in their seed: each variation is
    dumped once with SEED_MARK and copied per seed. A run_id (letters, digits, '-', '_', '.',
    ending '-s<seed>') is always a plain scalar, so the copies are what the dumper writes; when
    the mark shows up anywhere else the runs are dumped one by one."""
    variants, seeds = experiment["variants"], experiment["seeds"]
    marked = dump_yaml({"runs": [_run(v, SEED_MARK, dataset, model, data_root) for v in variants]})
    blocks = marked.removesuffix("\n").split("\n- ")[1:]
    mark = str(SEED_MARK)
    if not seeds or not marked.startswith("runs:\n- ") or len(blocks) != len(variants) or any(
            b.count(mark) != 2 or f"-s{mark}\n" not in b or f"\n  seed: {mark}\n" not in b for b in blocks):
        return dump_yaml({"runs": [_run(v, seed, dataset, model, data_root) for seed in seeds for v in variants]})
    copies = [block.replace(f"-s{mark}\n", f"-s{seed}\n").replace(f"\n  seed: {mark}\n", f"\n  seed: {seed}\n")
              for seed in seeds for block in blocks]
    return "runs:\n- " + "\n- ".join(copies) + "\n"
