import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden/ expected files")


@pytest.fixture
def update_golden(request):
    if request.config.getoption("--update-golden") and os.environ.get("CI"):
        pytest.fail("golden files are never updated in CI")
    return request.config.getoption("--update-golden")
