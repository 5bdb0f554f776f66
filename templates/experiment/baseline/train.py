"""Family part of train.py: plain supervised training of one configuration per run.

training keys: epochs, batch_size, subset, learning_rate, weight_decay, momentum,
augment_magnitude, label_smoothing, target_accuracy.
"""

from __future__ import annotations

import copy
import time

import torch

NOT_IMPLEMENTED = {not_implemented}


def run_experiment(run: dict, data: dict, training: dict, seed: int, log) -> dict:
    """Train the configuration for its epochs, evaluating after each; keep the best-validation weights."""
    hyper = {name: number(training, name, default) for name, default in
             (("learning_rate", 0.05), ("weight_decay", 5e-4), ("momentum", 0.9), ("augment_magnitude", 0.0),
              ("label_smoothing", 0.0))}
    model = build_model(run["model"], data["input_shape"], data["num_classes"]).to(data["X_train"].device)
    optimizer = make_optimizer(model, hyper)
    generator = torch.Generator().manual_seed(seed)
    epochs, batch_size = integer(training, "epochs", 10), integer(training, "batch_size", 128)
    trajectory, best, best_state = [], {"val": -1.0, "test": 0.0, "epoch": 0}, None
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        train_epochs(model, optimizer, data, hyper, 1, batch_size, generator)
        val = accuracy(model, data["X_val"], data["y_val"])
        test = accuracy(model, data["X_test"], data["y_test"])
        if val > best["val"]:
            best, best_state = {"val": val, "test": test, "epoch": epoch}, copy.deepcopy(model.state_dict())
        point = {"event": "epoch", "epoch": epoch, "val_accuracy": val, "test_accuracy": test,
                 "best_val_accuracy": best["val"], "best_test_accuracy": best["test"],
                 "wall_time_s": time.perf_counter() - started, "cumulative_epochs": epoch}
        trajectory.append(point)
        log(point)
    model.load_state_dict(best_state)
    return {
        "family": "baseline", "hyperparameters": hyper, "target_accuracy": number(training, "target_accuracy", 0.9),
        "trajectory": trajectory, "best_val_accuracy": best["val"], "best_test_accuracy": best["test"],
        "best_epoch": best["epoch"], "total_epochs": epochs, "not_implemented": NOT_IMPLEMENTED, "best_model": model,
    }


CHANGES = {changes}
