"""Render Decisions as seed 000's planner JSON: three numbered plans and the facade name."""

from __future__ import annotations

from typing import Any

from ..decide.decisions import Decisions, cut_list, describe_range, ignored_groups


def planner_json(d: Decisions) -> dict[str, str]:
    if d.spec.type == "image":
        config, scenario, train = image_configuration_steps(d), scenario_steps(d), image_train_steps(d)
    elif d.spec.forecasting:
        config, scenario, train = forecast_configuration_steps(d), scenario_steps(d), forecast_train_steps(d)
    elif d.spec.type == "time_series":
        config, scenario, train = series_configuration_steps(d), scenario_steps(d), series_train_steps(d)
    else:
        config, scenario, train = tabular_configuration_steps(d), scenario_steps(d), tabular_train_steps(d)
    return {
        "configuration_plan": numbered(with_insights(config, d)),
        "scenario_plan": numbered(scenario),
        "train_function_plan": numbered(train),
        "suggested_facade": d.facade,
    }


def with_insights(steps: list[str], d: Decisions, max_groups: int = 8) -> list[str]:
    """Sum up the OpenML suggestions in the plan's last step: the ignored ones grouped by reason,
    so the plan stays a few KB whatever the payload (decisions.json has every one)."""
    if not d.insights:
        return steps
    used = sum(r.applied for r in d.insights)
    groups = ignored_groups(d.insights)
    text = f"OpenML suggestions: {used} of {len(d.insights)} values used."
    if groups:
        listed = "; ".join(f"{reason}: {count} ({cut_list(names)})" for reason, count, names in groups[:max_groups])
        more = f"; {len(groups) - max_groups} more reasons in decisions.json" if len(groups) > max_groups else ""
        text += f" Ignored: {listed}{more}."
    return [*steps[:-1], f"{steps[-1]} {text}"]


def numbered(steps: list[str]) -> str:
    return "\n".join(f"Step {i}: {text}" for i, text in enumerate(steps, start=1))


def _range(d: Decisions, name: str) -> str:
    return describe_range(d.hyperparameter(name))


def _has(d: Decisions, name: str) -> bool:
    return name in d.defaults


def image_configuration_steps(d: Decisions) -> list[str]:
    spec = d.spec
    c, h, w = spec.image_shape
    tier = d.extra["tier"]
    steps = [
        f"Use PyTorch for a CNN over {c}x{h}x{w} images with {spec.n_classes} classes ({spec.n_samples} samples); "
        f"{d.decision('tier').reason}.",
        f"n_conv_layers: {_range(d, 'n_conv_layers')} for a {tier} dataset.",
        f"initial_filters: {_range(d, 'initial_filters')}; filters double each layer, capped at {d.extra['max_filters']}.",
        f"kernel_size: {_range(d, 'kernel_size')} with padding kernel_size // 2 and stride 1; pooling does the downsampling.",
        f"batch_norm: {_range(d, 'batch_norm')} after each conv; pooling: {_range(d, 'pooling')}, 2x2 stride 2 while the map is at least 2x2.",
        f"activation: {_range(d, 'activation')}; leaky_relu_slope: {_range(d, 'leaky_relu_slope')}.",
        f"Regularisation: dropout {_range(d, 'dropout')}; spatial_dropout {_range(d, 'spatial_dropout')}; weight_decay {_range(d, 'weight_decay')}.",
        f"Optimisation: learning_rate {_range(d, 'learning_rate')}; batch_size {_range(d, 'batch_size')}; "
        f"optimizer {_range(d, 'optimizer')}; momentum {_range(d, 'momentum')}.",
    ]
    augmentation = f"Augmentation: rotation_degrees {_range(d, 'rotation_degrees')}; horizontal_flip {_range(d, 'horizontal_flip')}"
    if _has(d, "color_jitter"):
        augmentation += f"; color_jitter {_range(d, 'color_jitter')} (colour images)"
    else:
        augmentation += "; no colour jitter for grayscale images"
    steps.append(augmentation + ".")
    steps.append(
        f"Validate: all {len(d.hyperparameters)} hyperparameters build a valid CNN for every value; conditions make "
        "leaky_relu_slope and momentum inactive unless chosen; an adaptive pool before the head absorbs any map size."
    )
    return steps


def tabular_configuration_steps(d: Decisions) -> list[str]:
    spec = d.spec
    families = d.extra["families"]
    kind = f"{spec.n_classes}-class classification" if spec.task == "classification" else "regression"
    imputer = ("imputer: " + _range(d, "imputer") + " for the missing values") if _has(d, "imputer") else "no imputer dimension (no missing values; numeric NaNs would still get the median)"
    encoding = (f"categorical_encoding: {_range(d, 'categorical_encoding')} for the {spec.n_categorical} categorical features"
                if _has(d, "categorical_encoding") else "no encoding dimension (no low-cardinality categorical features)")
    steps = [
        f"Frame {spec.n_samples} rows x {spec.n_features} features ({spec.n_categorical} categorical) as {kind}; "
        f"{d.decision('size_band').reason} ({d.decision('size_band').rule}).",
        f"algorithm: {_range(d, 'algorithm')}; every family-specific hyperparameter is conditional on it.",
        f"scaler: {_range(d, 'scaler')}, fitted on the training split only; {imputer}; {encoding}"
        + (f"; high_cardinality_encoding: {_range(d, 'high_cardinality_encoding')}" if _has(d, "high_cardinality_encoding") else "") + ".",
    ]
    prefixes = {"lightgbm": "lgb_", "hist_gradient_boosting": "hgb_", "random_forest": "rf_", "svm": "svm_", "linear": "linear_", "mlp": "mlp_"}
    for family in families:
        names = [hp.name for hp in d.hyperparameters if hp.name.startswith(prefixes[family])]
        parts = "; ".join(f"{n} {_range(d, n).split(', if ')[0]}" for n in names)
        steps.append(f"{family}: {parts}." if parts else f"{family}: no hyperparameters of its own.")
    steps.append(
        f"Validate: {len(d.hyperparameters)} hyperparameters; inactive branches are missing keys, read with cfg.get and a default; "
        "every value is converted to a native type before use."
    )
    return steps


def scenario_steps(d: Decisions) -> list[str]:
    steps = [
        f"Objective '{d.objective}': {d.decision('objective').reason}.",
        f"deterministic={d.deterministic}: {d.decision('deterministic').reason}.",
        f"Facade {d.facade}: {d.decision('facade').reason} ({d.decision('facade').rule}).",
    ]
    if d.multi_fidelity:
        unit = "epochs" if d.spec.type == "image" else "fraction of full fidelity"
        steps.append(
            f"Budgets: min_budget={d.min_budget:g}, max_budget={d.max_budget:g} ({unit}), eta={d.eta}; "
            f"{d.decision('min_budget').reason}."
        )
    else:
        steps.append("No budgets: every trial is a full fit, so SMAC's random-forest model compares like with like.")
    steps += [
        f"n_trials={d.n_trials} and walltime_limit={d.walltime_limit:g} s: {d.decision('n_trials').reason}; {d.decision('walltime_limit').reason}.",
        f"n_workers={d.n_workers}: {d.decision('n_workers').reason}.",
        f"output_directory 'smac3_output', name '{d.spec.slug}', seed {d.seed}, crash_cost {d.crash_cost:g}: {d.decision('crash_cost').reason}.",
    ]
    if d.multi_fidelity and d.spec.type == "image":
        steps.append(
            f"Validate: {d.min_budget:g} epochs let a CNN learn the basics; {d.max_budget:g} let it converge, with early stopping on a plateau."
        )
    return steps


def image_train_steps(d: Decisions) -> list[str]:
    c, h, w = d.spec.image_shape
    return [
        "Build the CNN from n_conv_layers conv blocks (conv, optional batch norm, activation, spatial dropout, pooling).",
        f"Start at initial_filters and double per block up to {d.extra['max_filters']}; padding kernel_size // 2.",
        "End with AdaptiveAvgPool2d(1), dropout and a linear head, so any image size works.",
        f"Read the shape from the data: (N,C,H,W), (N,H,W,C), (N,H,W), or flattened (N,D) reshaped to {c}x{h}x{w}; classes from the labels.",
        resolution_step(d),
        "Scale pixels to [0, 1] and standardise with training-split channel statistics; augment (rotation, flip"
        + (", colour jitter" if _has(d, "color_jitter") else "") + ") as batched tensor ops on the device.",
        "Without X_test, split 80/20 stratified by class (plain split when a class is too small); with X_test train on all of X.",
        "Read every hyperparameter with cfg.get(name, default) and convert numpy scalars to int/float/str/bool.",
        "Use cross-entropy; adam, adamw, or sgd with momentum, each with weight_decay.",
        f"epochs = round(budget) ({d.min_budget:g}-{d.max_budget:g}); budget None trains {d.extra['full_epochs']} epochs; "
        "stop early on a validation-loss plateau; reduce the LR on plateaus.",
        "Keep the data on the device once when it fits; when its float32 copy would take over half the free host memory, "
        "read batches from where the data is (the memory-mapped cache), standardised with a seeded sample's statistics "
        "and read ahead by a thread; batch by index with a seeded permutation; bf16 autocast and channels_last on CUDA; clip gradient norms.",
        "Resume from the checkpoint of the same configuration and seed at a smaller budget instead of retraining.",
        "Compute validation accuracy, balanced accuracy, macro precision/recall/F1 and per-class scores; "
        "save state_dict, config and metadata to model_dir when given (loadable with weights_only=True).",
        "Set seeds for random, numpy and torch; choose cuda when available, else CPU.",
        "Return loss = 1 - accuracy with the metrics, training_time, epochs_completed and best_epoch.",
    ]


def resolution_step(d: Decisions) -> str:
    """The train plan's resolution step, from extra["search_size"] and extra["final_size"]."""
    (sh, sw), (fh, fw) = d.extra["search_size"], d.extra["final_size"]
    rule = d.decision("search_resolution").rule
    return (f"Resolution ({rule}): search resolution {sh}x{sw} when the search calls train with "
            f"dataset['resolution'] = 'search', final resolution {fh}x{fw} for the refit and a plain call; "
            "images of another size are resized to the working resolution (antialiased bilinear), never enlarged.")


def tabular_train_steps(d: Decisions) -> list[str]:
    families = d.extra["families"]
    fidelity: dict[str, Any] = d.extra["fidelity"]
    budget = (
        "budget is a fraction: " + ", ".join(f"{f} -> {kind} x{full}" for f, (kind, full) in fidelity.items())
        if d.multi_fidelity
        else "budget is None: the space's fidelity hyperparameters (hgb_max_iter, rf_n_estimators, mlp_epochs) where present, "
        "LightGBM up to its full rounds"
    )
    metric = ("accuracy, balanced accuracy, macro precision/recall/F1 and per-class scores"
              if d.spec.task == "classification" else "RMSE, MAE and R2")
    validation = d.decision("validation")
    return [
        "Accept X and y as numpy arrays or pandas objects; read each column by its kind (COLUMN_KINDS from the spec, "
        "else numeric or categorical by its values).",
        "Drop constant and ID columns; turn dates into year, month, day, weekday, day of year and days since 1970.",
        f"Score: {validation.reason} ({validation.rule}); with X_val or X_test train on all of X.",
        "Impute numeric columns (imputer where in the space, else median) and scale them with the configured scaler.",
        "Encode categorical columns (one-hot or ordinal), high-cardinality ones by target (cross-fitted) or frequency encoding, "
        "free text as word 1-2-gram tf-idf.",
        "Fit all preprocessing on the fit rows only, then transform the validation part.",
        f"Dispatch on algorithm across {', '.join(families)}; torch and lightgbm are imported only by their families.",
        "Read each family's hyperparameters with cfg.get and convert numpy scalars to native types.",
        f"Apply the fidelity: {budget}; boosting rounds stop early on the validation rows.",
        "Set seeds (random, numpy, torch, estimator random_state).",
        "For the MLP: data on the device once, AdamW, early stopping on a plateau, gradient clipping, LR reduction on plateaus; "
        "resume from the checkpoint of the same configuration and seed at a smaller budget.",
        f"Compute validation {metric}.",
        "Save the model (state_dict for the MLP, LightGBM's text model; config and metadata for all) to model_dir when given.",
        "Return loss " + ("= 1 - accuracy" if d.spec.task == "classification" else "= RMSE / std of the training target")
        + " with the metrics, training_time, epochs_completed and best_epoch (boosting: the best round).",
    ]


def series_configuration_steps(d: Decisions) -> list[str]:
    spec = d.spec
    kind = f"{spec.n_classes}-class classification" if spec.task == "classification" else "regression"
    lengths = f"length {spec.max_length}" if spec.equal_length else f"lengths {spec.min_length}-{spec.max_length}"
    steps = [
        f"Frame {spec.n_samples} series of {spec.n_channels} channel(s), {lengths}, as {kind} of whole series; "
        f"{d.decision('size_band').reason} ({d.decision('size_band').rule}).",
        f"algorithm: {_range(d, 'algorithm')}; every family-specific hyperparameter is conditional on it.",
        f"normalise: {_range(d, 'normalise')} (per series and channel, {d.hyperparameter('normalise').rule}).",
        f"Length: {d.decision('series_length').reason} ({d.decision('series_length').rule}); missing values: "
        f"{d.decision('missing').reason} ({d.decision('missing').rule}).",
        f"Fidelity is not a dimension: {d.decision('fidelity').reason} ({d.decision('fidelity').rule}: "
        + ", ".join(f"{f} {kind} up to {full}" for f, (kind, full) in d.extra["fidelity"].items()) + ").",
    ]
    for family in d.extra["families"]:
        names = [hp.name for hp in d.hyperparameters if hp.parent == "algorithm" and hp.values == (family,)]
        steps.append(f"{family}: " + "; ".join(f"{n} {_range(d, n).split(', if ')[0]}" for n in names) + ".")
    steps.append(
        f"Validate: {len(d.hyperparameters)} hyperparameters; no length or channel count is fixed in the space, "
        "so every configuration fits any series the data holds."
    )
    return steps


def series_train_steps(d: Decisions) -> list[str]:
    fidelity: dict[str, Any] = d.extra["fidelity"]
    budget = (
        "budget is a fraction: " + ", ".join(f"{f} -> {kind} x{full}" for f, (kind, full) in fidelity.items())
        if d.multi_fidelity
        else "budget is None: " + ", ".join(f"{f} at {full} {kind}" for f, (kind, full) in fidelity.items())
    )
    metric = ("accuracy, balanced accuracy, macro precision/recall/F1 and per-class scores"
              if d.spec.task == "classification" else "RMSE, MAE and R2")
    length, missing, validation = d.decision("series_length"), d.decision("missing"), d.decision("validation")
    return [
        "Accept X as float32 (series, channels, length) with NaN after a series' end and for missing values; "
        "read the channel count and the lengths from the data, never from constants.",
        f"Lengths ({length.rule}): {length.reason}. Missing values ({missing.rule}): linear interpolation within each channel.",
        "z-normalise each series per channel when normalise is true.",
        f"Score: {validation.reason} ({validation.rule}); with X_val or X_test train on all of X.",
        "rocket: MiniRocket or MultiRocket features (aeon, imported only by this family), standardised, then a ridge head choosing its alpha from logspace(-3, 3, 10) by leave-one-out (HPG-TS-ROCKET-HEAD).",
        "intervals: mean, std, slope, min, max, median and IQR over a dyadic pyramid of intervals (and of the first "
        "differences), then histogram gradient boosting.",
        "cnn: a ResNet-1D or InceptionTime-style network (torch, imported only by this family) with global average pooling, "
        "AdamW, early stopping on the validation series, and checkpoint reuse across budgets.",
        f"Apply the fidelity: {budget}.",
        "Set seeds (random, numpy, torch, the transforms' random_state).",
        f"Compute validation {metric}.",
        "Save the model (state_dict for the CNN; the fitted transform and head otherwise; config and metadata for all) to model_dir when given.",
        "Return loss " + ("= 1 - accuracy" if d.spec.task == "classification" else "= RMSE / std of the training target")
        + " with the metrics, training_time, epochs_completed and best_epoch.",
    ]


def forecast_configuration_steps(d: Decisions) -> list[str]:
    from ..decide.forecasting import frequency_label

    spec = d.spec
    lengths = f"length {spec.max_length}" if spec.min_length == spec.max_length else f"lengths {spec.min_length}-{spec.max_length}"
    steps = [
        f"Frame {spec.n_series} series ({lengths}, {frequency_label(spec)}) as forecasting of the next {spec.horizon} points; "
        f"{d.decision('size_band').reason} ({d.decision('size_band').rule}).",
        f"Season: {d.decision('season_length').reason} ({d.decision('season_length').rule}); horizon: "
        f"{d.decision('horizon').reason} ({d.decision('horizon').rule}).",
        f"Covariates: {d.decision('covariates').reason}.",
        f"algorithm: {_range(d, 'algorithm')}; every family-specific hyperparameter is conditional on it.",
        f"Fidelity: {d.decision('fidelity').reason} ({d.decision('fidelity').rule}: "
        + ", ".join(f"{f} {kind} up to {full}" for f, (kind, full) in d.extra["fidelity"].items() if kind != "none") + ").",
    ]
    for family in d.extra["families"]:
        names = [hp.name for hp in d.hyperparameters if hp.parent == "algorithm" and hp.values == (family,)]
        steps.append(f"{family}: " + "; ".join(f"{n} {_range(d, n).split(', if ')[0]}" for n in names) + ".")
    steps.append(f"Validate: {len(d.hyperparameters)} hyperparameters; no series count or length is fixed in the space, "
                 "so every configuration fits any history at least the horizon long.")
    return steps


def forecast_train_steps(d: Decisions) -> list[str]:
    validation, strategy, missing = d.decision("validation"), d.decision("strategy"), d.decision("missing")
    return [
        "Accept y as float (series, length) with NaN after a series' end and where a value is missing, X as the covariates "
        "on the same grid and time as its timestamps; read the series count and lengths from the data.",
        f"Missing values ({missing.rule}): linear interpolation before every fit; missing truth is never scored.",
        f"Score: {validation.reason} ({validation.rule}); given y_test, fit the whole history and score the next horizon.",
        "statistical: statsforecast's AutoETS, AutoTheta or AutoARIMA per series, or their mean, with the season length "
        "(none where a fit part holds fewer than two seasons) and 80%/95% intervals; a failed fit falls back to seasonal naive.",
        f"boosting: one global LightGBM on windows scaled by their last season's level, with the step, calendar and covariate "
        f"features; {strategy.reason} ({strategy.rule}).",
        "neural: a global MLP or N-BEATS-style stack (torch, imported only by this family) from a scaled window to the next "
        "horizon points, L1 loss, Adam, early stopping on each series' last window.",
        "Intervals (HPG-FC-INTERVALS): " + "% and ".join(str(lv) for lv in d.extra["interval_levels"])
        + "% from the statistical models' own distributions; boosting and neural forecasts are points.",
        "Apply the fidelity: boosting rounds and epochs from the budget (or the searched value); statistical fits are always full.",
        "Set seeds (random, numpy, torch, LightGBM).",
        "Compute MASE, sMAPE and RMSE, and the seasonal naive forecast's own MASE, sMAPE and RMSE beside them.",
        "Save config.json, metadata.json and forecast.json (forecasts, intervals, truth) to model_dir when given, with "
        "LightGBM's text models or the network's state_dict.",
        "Return loss = mean MASE with the metrics, training_time, epochs_completed, best_epoch, cv_folds and fallbacks.",
    ]
