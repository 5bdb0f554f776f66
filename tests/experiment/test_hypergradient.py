"""The warm start's hyper-gradient is the true derivative of its look-ahead loss: for every
continuous hyperparameter it matches a central finite difference to 1e-3 relative error.

The derived package's train.py runs in a process of its own, on a tiny float64 MLP."""

import json
import subprocess
import sys
import textwrap

import pytest
from packages import EXPERIMENT_GOLDEN, invoke

DRIVER = textwrap.dedent('''
    import json, sys
    import torch
    sys.path.insert(0, sys.argv[1])
    from src import train

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)).double()
    x = torch.randn(12, 1, 4, 4, dtype=torch.float64)
    y = torch.randint(0, 3, (12,))
    space = train.SearchSpace({
        "learning_rate": {"low": 1e-3, "high": 1.0, "log": True},
        "weight_decay": {"low": 1e-5, "high": 1e-1, "log": True},
        "momentum": {"low": 0.5, "high": 0.99},
        "augment_magnitude": {"low": 0.0, "high": 0.5},
        "label_smoothing": {"low": 0.0, "high": 0.2},
    }, None)
    point = {"learning_rate": 0.3, "weight_decay": 0.01, "momentum": 0.8, "augment_magnitude": 0.2, "label_smoothing": 0.1}
    generator = torch.Generator().manual_seed(1)
    noises = [train.augment_noise(len(y), x, generator) for _ in range(3)]

    def loss(psi_values):
        psi = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in psi_values.items()}
        return train.lookahead_loss(model, x, y, psi, space, 2, noises), psi

    base = space.psi(point)
    value, psi = loss(base)
    grads = dict(zip(psi, torch.autograd.grad(value, list(psi.values()))))
    report = {}
    for name in base:
        h = 1e-5
        up = loss({**base, name: base[name] + h})[0].item()
        down = loss({**base, name: base[name] - h})[0].item()
        report[name] = {"autograd": grads[name].item(), "finite_difference": (up - down) / (2 * h)}
    print("RESULT " + json.dumps(report))
''')


@pytest.fixture(scope="module")
def gradients(tmp_path_factory):
    work = tmp_path_factory.mktemp("hypergradient")
    case = EXPERIMENT_GOLDEN / "ohgw"
    invoke("basecode", case / "method.json", "--out", work / "base")
    invoke("derive", work / "base", "--dataset", "digits", "--out", work / "package")
    completed = subprocess.run([sys.executable, "-c", DRIVER, str(work / "package")], capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.mark.parametrize("name", ["learning_rate", "weight_decay", "momentum", "augment_magnitude", "label_smoothing"])
def test_hypergradient_matches_central_difference(gradients, name):
    found = gradients[name]
    assert found["autograd"] != 0.0  # every hyperparameter reaches the look-ahead loss
    assert found["autograd"] == pytest.approx(found["finite_difference"], rel=1e-3)
