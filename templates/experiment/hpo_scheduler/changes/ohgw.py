"""Catalogue change (trial_creation hook): One-Shot Hyper-Gradient Warm-Starts.

Each new configuration first takes steps on its continuous hyperparameters from one
mini-batch (the hyper-gradient of a short SGD look-ahead) before the scheduler sees it.
training keys: warm_start (none | ohgw | random), warm_start_steps, eta_h, warm_start_batch,
lookahead_steps.
"""

import math
import time

import numpy as np
import torch
from torch.func import functional_call


def lookahead_loss(model, x, y, psi: dict, space: SearchSpace, steps: int, noises: list) -> torch.Tensor:
    """The loss on (x, y) after `steps` SGD steps on the same mini-batch, as a function of psi.

    Learning rate, weight decay and momentum reach the loss only through the updates (momentum
    from the second step on, when the velocity is not empty); label smoothing and the
    augmentation magnitude reach it directly. The model itself is left unchanged.
    """
    hyper = space.tensor_hyper(psi)
    params = {name: p.detach().requires_grad_(True) for name, p in model.named_parameters()}
    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}

    def loss_at(weights, noise):
        logits = functional_call(model, (weights, buffers), (augment(x, hyper["augment_magnitude"], noise),))
        return smoothed_cross_entropy(logits, y, hyper["label_smoothing"])

    velocity = {}
    for step in range(steps):
        grads = torch.autograd.grad(loss_at(params, noises[step]), list(params.values()), create_graph=True)
        for (name, weight), grad in zip(list(params.items()), grads, strict=True):
            direction = grad + hyper["weight_decay"] * weight
            velocity[name] = hyper["momentum"] * velocity[name] + direction if name in velocity else direction
            params[name] = weight - hyper["learning_rate"] * velocity[name]
    return loss_at(params, noises[steps])


def hypergradient(model, x, y, config: dict, space: SearchSpace, steps: int, generator) -> dict:
    """d(look-ahead loss)/d(psi) for every dimension of the space, at config."""
    psi = {name: torch.tensor(value, dtype=x.dtype, device=x.device, requires_grad=True)
           for name, value in space.psi(config).items()}
    noises = [augment_noise(len(y), x, generator) for _ in range(steps + 1)]
    loss = lookahead_loss(model, x, y, psi, space, steps, noises)
    grads = torch.autograd.grad(loss, list(psi.values()), allow_unused=True)
    return {name: 0.0 if g is None else float(g) for name, g in zip(psi, grads, strict=True)}


def warm_start(model, data: dict, config: dict, space: SearchSpace, training: dict, rng, generator) -> tuple[dict, dict]:
    """The configuration the scheduler will evaluate, and a record of what the warm start did."""
    kind = str(training.get("warm_start", "none"))
    if kind == "none":
        return config, {"kind": kind, "before": config, "after": config, "seconds": 0.0}
    started = time.perf_counter()
    eta_h, batch = number(training, "eta_h", 1e-3), integer(training, "warm_start_batch", 128)
    steps = integer(training, "warm_start_steps", 1) if kind == "ohgw" else 1
    lookahead = integer(training, "lookahead_steps", 2 if "momentum" in space.dims else 1)
    psi, grads = space.psi(config), []
    for _ in range(steps):
        rows = torch.randperm(len(data["y_train"]), generator=generator)[:batch].to(data["X_train"].device)
        grad = hypergradient(model, data["X_train"][rows], data["y_train"][rows], space.natural(psi), space,
                             lookahead, generator)
        grads.append(grad)
        if kind == "random":  # a control: the same step length in a random direction
            length = eta_h * math.sqrt(sum(g * g for g in grad.values()))
            direction = rng.normal(size=len(grad))
            direction /= max(np.linalg.norm(direction), 1e-12)
            psi = {name: psi[name] + length * d for name, d in zip(grad, direction, strict=True)}
        else:
            psi = {name: psi[name] - eta_h * grad[name] for name in grad}
    after = space.natural(psi)
    return after, {"kind": kind, "before": config, "after": after, "hypergradients": grads,
                   "seconds": time.perf_counter() - started}
