"""Run image-bundle code in a fresh interpreter: a prelude of helpers plus the test's bodies.

The bodies fill a `results` dict that comes back as one JSON line; generated code only ever
runs in these driver processes, never in the test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SUPPORT_DIR = Path(__file__).resolve().parent
RESULT_PREFIX = "RESULT "

PRELUDE = """
import importlib.util
import json
import sys
import traceback

import numpy as np

sys.path.insert(0, @SUPPORT_DIR@)
from configs import configuration, corners
from images import digits_images, rgb_digits

PARAMS = json.loads(sys.argv[1])


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_bundle(folder, name="generated_train"):  # a bundle's train module
    return load_module(folder + "/train.py", name)


def load_space(folder):  # a bundle's ConfigurationSpace, as its config_space.py builds it
    return load_module(folder + "/config_space.py", "space_" + folder.replace("/", "_")).get_configspace()


def described(result):
    return {"metrics": result, "types": sorted({type(v).__name__ for v in result.values()})}


def emit(payload):
    print("RESULT " + json.dumps(payload))


results = {}
"""


def driver_environment() -> dict[str, str]:
    """The test's environment, with bytecode cached outside the venv (so that the second
    driver does not compile torch's Python sources again) and one intra-op thread unless
    the caller chose otherwise: the test images are tiny, and spinning OpenMP threads on a
    busy 2-core machine cost several times the work itself."""
    environment = dict(os.environ)
    environment.setdefault("OMP_NUM_THREADS", "1")
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "hpogen-tests-pycache")
    return environment


def run_driver(tmp_path: Path, bodies: list[str], params: dict, timeout: int = 1800) -> dict:
    """Run PRELUDE + bodies in a fresh interpreter and return the `results` they filled."""
    script = tmp_path / f"driver_{time.monotonic_ns()}.py"
    prelude = PRELUDE.replace("@SUPPORT_DIR@", repr(str(SUPPORT_DIR)))
    code = prelude + "".join(textwrap.dedent(body) for body in bodies) + "\nemit(results)\n"
    script.write_text(code, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(script), json.dumps(params)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        env=driver_environment(),
    )
    assert completed.returncode == 0, completed.stderr[-6000:]
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    assert lines, completed.stdout[-3000:]
    return json.loads(lines[-1][len(RESULT_PREFIX) :])
