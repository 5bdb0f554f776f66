"""The two config files of a package: the experiment's facts and variations (basecode), and the
runs they expand into, one per variation and seed (derive).

Both files share one schema (written in the package's src/train.py docstring). Numbers are
written by PyYAML's own dumper, so `1e-3` comes out as `0.001` and reads back as a float.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import HpogenError
from ..tables import table
from .reading import MethodReading

PLACEHOLDER = "SPECIFIC_CONFIG_PLACEHOLDER"
# the package's own rule (src/main.py): safe as a folder name, at most 128 characters
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
CONFIG_FILES = {"smoke": "config/smoke_test.yaml", "full": "config/full_experiment.yaml"}


def variants(reading: MethodReading) -> list[dict[str, Any]]:
    """The variations of the experiment: for OHGW, each implemented scheduler without a warm
    start, with OHGW, and with each control; for the baseline, the one configuration."""
    if reading.family == "baseline":
        return [{"variant": "baseline", "training": {}}]
    implemented = table("method")["facts"]["schedulers"]["implemented"]
    arms = [("none", {"warm_start": "none"}), ("ohgw", {"warm_start": "ohgw", "warm_start_steps": 1})]
    controls = reading.fact("controls")
    if "random" in controls:
        arms.append(("random", {"warm_start": "random"}))
    if "multistep" in controls:
        k = int(reading.fact("k_steps"))
        arms.append((f"ohgw{k}", {"warm_start": "ohgw", "warm_start_steps": k}))
    schedulers = [s for s in reading.fact("schedulers") if s in implemented] or ["asha"]
    return [
        {"variant": f"{scheduler}-{arm}", "training": {"scheduler": scheduler, **settings}}
        for scheduler in schedulers
        for arm, settings in arms
    ]


def shared_training(reading: MethodReading, scale: str) -> dict[str, Any]:
    """The training settings every run of one config file shares."""
    rules = table("method")
    settings = dict(rules["settings"][reading.family][scale])
    settings["target_accuracy"] = float(reading.fact("target_accuracy"))
    if reading.family == "ohgw":
        space = rules["space"]
        names = reading.fact("search_space")
        settings.setdefault("warm_start_batch", int(reading.fact("warm_start_batch")))
        settings["min_epochs"] = int(reading.fact("min_epochs"))
        settings["eta_h"] = float(reading.fact("eta_h"))
        settings["lookahead_steps"] = 2 if "momentum" in names else 1
        settings["search_space"] = {name: dict(space[name]) for name in names}
    else:
        # the one configuration the method states (the smoke scale keeps its tiny batches and epochs)
        stated = ("learning_rate", "weight_decay", "momentum") + (("batch_size", "epochs") if scale == "full" else ())
        settings.update({name: reading.fact(name) for name in stated})
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
        config = yaml.safe_load(base_text)
    except yaml.YAMLError as exc:
        raise HpogenError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    experiment = config.get("experiment") if isinstance(config, dict) else None
    if not isinstance(experiment, dict) or config.get("runs") != PLACEHOLDER:
        raise HpogenError(f"{where}: not a base config of hpogen basecode (no experiment section or runs placeholder)")
    for key in ("method_dataset", "method_model", "seeds", "variants", "training"):
        if key not in experiment:
            raise HpogenError(f"{where}: no experiment.{key} (not written by hpogen basecode)")
    return experiment


def derived_config_text(base_text: str, experiment: dict[str, Any], dataset: str, model: str,
                        data_root: str | None, where: str) -> str:
    """A base config file (read by read_base_config) with its runs filled in: each variation, for each seed."""
    runs, seen = [], set()
    for seed in experiment["seeds"]:
        for variant in experiment["variants"]:
            run_id = f"{variant['variant']}-s{seed}"
            if not RUN_ID.match(run_id) or run_id in seen:
                problem = "duplicate" if run_id in seen else "unsafe"
                raise HpogenError(f"{where}: {problem} run_id {run_id!r} (variant names must be unique, "
                                  "letters, digits, '-', '_' and '.')")
            seen.add(run_id)
            runs.append({
                "run_id": run_id,
                "variant": variant["variant"],
                "dataset": dataset,
                "model": model,
                "data_root": data_root,
                "seed": seed,
                "training": dict(variant["training"]),  # a copy each: no YAML anchors
            })
    first = base_text.splitlines()[0] if base_text else ""
    header = first + "\n" if first.startswith("# ") else ""
    return header + dump_yaml({"experiment": experiment, "runs": runs})
