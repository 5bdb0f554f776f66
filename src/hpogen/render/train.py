"""Render a bundle's train.py from templates/bundle/ (the contract is docs/train-contract.md).

Each function returns filled but not yet formatted source; the caller writes it and runs
`hpogen.codegen.format_tree` on the bundle folder.
"""

from __future__ import annotations

from typing import Any

from ..codegen import fill_template
from ..decide.columns import train_settings
from ..tables import table


def _plain(value: Any) -> Any:
    """A native Python value for a numpy scalar (ConfigSpace defaults are numpy scalars)."""
    if hasattr(value, "item") and not isinstance(value, (bool, int, float, str)):
        return value.item()
    return value


def render_image_train(
    image_shape: tuple[int, int, int],
    full_epochs: int,
    max_filters: int,
    defaults: dict[str, Any],
    search_size: tuple[int, int] | None = None,
    final_size: tuple[int, int] | None = None,
) -> str:
    """Source of an image bundle's train.py.

    image_shape is (channels, height, width), used to reshape flattened input; full_epochs
    is the epoch count when train() gets no budget; defaults maps every hyperparameter name
    of the bundle's space to its default; search_size and final_size are the (height, width)
    the network trains at in the search and in the refit (IMG-RESOLUTION; default: the images').
    """
    shape = tuple(int(_plain(size)) for size in image_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"image_shape must be three positive sizes (C, H, W), got {image_shape!r}")
    if int(full_epochs) < 1 or int(max_filters) < 1:
        raise ValueError("full_epochs and max_filters must be at least 1")
    sizes = [tuple(int(_plain(side)) for side in size or shape[1:]) for size in (search_size, final_size)]
    if any(len(size) != 2 or min(size) < 1 for size in sizes):
        raise ValueError(f"search_size and final_size must be (height, width), got {sizes!r}")
    return fill_template(
        "bundle/train_image.py",
        image_shape=shape,
        search_size=sizes[0],
        final_size=sizes[1],
        full_epochs=int(full_epochs),
        max_filters=int(max_filters),
        defaults={str(name): _plain(value) for name, value in defaults.items()},
    )


_TABULAR_FIDELITY_KINDS = ("max_iter", "n_estimators", "rounds", "epochs", "data_fraction")


def render_tabular_train(task: str, defaults: dict[str, Any], fidelity: dict[str, Any], **data: Any) -> str:
    """Source of a tabular bundle's train.py.

    task is "classification" or "regression"; defaults maps every hyperparameter name of the
    bundle's space to its default; fidelity maps each family to [kind, full_value]; data may
    set column_kinds (column name -> kind, non-numeric ones), cv_folds, cv_max_rows and
    text_max_features (the rules' values, and no named columns, otherwise).
    """
    standard = train_settings(table("tabular"), {})
    unknown = set(data) - set(standard)
    if unknown:
        raise ValueError(f"unknown tabular train settings: {sorted(unknown)}")
    settings = {**standard, **data}
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    families: dict[str, list[Any]] = {}
    for family, (kind, full) in fidelity.items():
        if kind not in _TABULAR_FIDELITY_KINDS:
            allowed = ", ".join(_TABULAR_FIDELITY_KINDS)
            raise ValueError(f"fidelity kind for {family!r} must be one of {allowed}, got {kind!r}")
        full = float(_plain(full)) if kind == "data_fraction" else int(_plain(full))
        if full <= 0:
            raise ValueError(f"full fidelity for {family!r} must be positive, got {full!r}")
        families[str(family)] = [str(kind), full]
    return fill_template(
        "bundle/train_tabular.py",
        task=task,
        defaults={str(name): _plain(value) for name, value in defaults.items()},
        fidelity=families,
        column_kinds={str(name): str(kind) for name, kind in settings["column_kinds"].items()},
        cv_folds=int(settings["cv_folds"]),
        cv_max_rows=int(settings["cv_max_rows"]),
        text_max_features=int(settings["text_max_features"]),
    )


_SERIES_FIDELITY_KINDS = ("n_kernels", "max_iter", "epochs")


def render_series_train(task: str, defaults: dict[str, Any], fidelity: dict[str, Any], validation: dict[str, int],
                        min_length: int) -> str:
    """Source of a time-series bundle's train.py (templates/bundle/train_series.py).

    fidelity maps each family to [kind, full_value]; validation holds the k-fold scoring's
    folds and max_series (HPG-TS-CV); min_length is the length series are padded to at least.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    families = {}
    for family, (kind, full) in fidelity.items():
        if kind not in _SERIES_FIDELITY_KINDS or int(_plain(full)) < 1:
            raise ValueError(f"fidelity for {family!r} must be one of {_SERIES_FIDELITY_KINDS} and positive, got {kind!r} {full!r}")
        families[str(family)] = [str(kind), int(_plain(full))]
    return fill_template(
        "bundle/train_series.py",
        task=task,
        defaults={str(name): _plain(value) for name, value in defaults.items()},
        fidelity=families,
        validation={"folds": int(validation["folds"]), "max_series": int(validation["max_series"])},
        min_length=int(min_length),
    )


_FORECAST_FIDELITY_KINDS = ("none", "rounds", "epochs")


def render_forecast_train(spec: Any, defaults: dict[str, Any], fidelity: dict[str, Any], backtest: dict[str, int],
                          strategy: str, interval_levels: list[int], max_model_season: int, nn_seeds: int,
                          zero_seasons: int) -> str:
    """Source of a forecasting bundle's train.py (templates/bundle/train_forecast.py).

    spec gives the horizon, season length, frequency and covariates; fidelity maps each family
    to [kind, full_value]; backtest holds the rolling origins' folds and min_fit (HPG-FC-BACKTEST);
    nn_seeds networks are averaged in every neural fit (HPG-FC-NN-SEEDS); a phase that was 0 in
    each of a series' last zero_seasons+ whole seasons is forecast 0 (HPG-FC-ZEROS).
    """
    if int(nn_seeds) < 1:
        raise ValueError(f"nn_seeds must be at least 1, got {nn_seeds!r}")
    if int(zero_seasons) < 2:
        raise ValueError(f"zero_seasons must be at least 2, got {zero_seasons!r}")
    from ..dataset.forecast_spec import frequency_kind

    families = {}
    for family, (kind, full) in fidelity.items():
        if kind not in _FORECAST_FIDELITY_KINDS or int(_plain(full)) < 1:
            raise ValueError(f"fidelity for {family!r} must be one of {_FORECAST_FIDELITY_KINDS} and positive, got {kind!r} {full!r}")
        families[str(family)] = [str(kind), int(_plain(full))]
    if strategy not in ("direct", "pooled"):
        raise ValueError(f"strategy must be 'direct' or 'pooled', got {strategy!r}")
    return fill_template(
        "bundle/train_forecast.py",
        horizon=int(spec.horizon),
        season_length=int(spec.season_length),
        frequency=spec.frequency,
        frequency_kind=frequency_kind(spec.frequency)[0],
        covariates={str(name): str(kind) for name, kind in spec.covariates or ()},
        defaults={str(name): _plain(value) for name, value in defaults.items()},
        fidelity=families,
        backtest={"folds": int(backtest["folds"]), "min_fit": int(backtest["min_fit"])},
        strategy=strategy,
        interval_levels=tuple(int(level) for level in interval_levels),
        max_model_season=int(max_model_season),
        nn_seeds=int(nn_seeds),
        zero_seasons=int(zero_seasons),
    )


def render_train(d: Any) -> str:
    """train.py for a bundle's Decisions (image, tabular or time-series template)."""
    if d.spec.type == "image":
        return render_image_train(d.spec.image_shape, d.extra["full_epochs"], d.extra["max_filters"], d.defaults,
                                  d.extra["search_size"], d.extra["final_size"])
    if d.spec.forecasting:
        return render_forecast_train(d.spec, d.defaults, d.extra["fidelity"], d.extra["backtest"], d.extra["strategy"],
                                     d.extra["interval_levels"], d.extra["max_model_season"], d.extra["nn_seeds"],
                                     d.extra["zero_seasons"])
    if d.spec.type == "time_series":
        return render_series_train(d.spec.task, d.defaults, d.extra["fidelity"], d.extra["validation"], d.extra["min_length"])
    data = {key: d.extra[key] for key in train_settings(table("tabular"), {})}
    return render_tabular_train(d.spec.task, d.defaults, d.extra["fidelity"], **data)
