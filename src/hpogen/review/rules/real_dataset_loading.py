from __future__ import annotations

import ast
import re

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule
from ..source import PLACEHOLDER

# torchvision.datasets members that name no real dataset
GENERIC_TORCHVISION = {"FakeData", "ImageFolder", "DatasetFolder", "VisionDataset"}
ALWAYS = re.compile(r"^(?:sklearn\.datasets\.(?:fetch|load)_\w+|(?:tensorflow\.)?keras\.datasets\.\w+.*)$")
NAMED_BY_ARGUMENT = {"datasets.load_dataset", "tensorflow_datasets.load", "tensorflow_datasets.builder"}
FILE_READERS = {"numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "pandas.read_csv", "pandas.read_parquet",
                "torch.load"}
SHORT = {"np": "numpy", "pd": "pandas"}  # the usual aliases, when their import is not in the module


class RealDatasetLoading(Rule):
    """Flags code in a base package that loads a real dataset.

    ## What it does
    Reports, in any src module of a base package, a call that loads a concrete dataset: a
    `torchvision.datasets` class (`CIFAR10(...)`, also through `getattr`), Hugging Face
    `datasets.load_dataset("...")` or `tensorflow_datasets.load("...")` with a name, any
    `sklearn.datasets.fetch_*` / `load_*`, `keras.datasets.*`, and `np.load`, `pd.read_csv`
    or `torch.load` of a fixed file path. Names are resolved through the module's imports, so a
    function of the package's own called `load_dataset` is not one of these.

    ## Why is this bad?
    The base package is shared by every variation of the experiment; the dataset is filled in
    by the derive step, behind a placeholder. A base that already loads one dataset decides
    what every derived package trains on, and derive either keeps the stale loader next to the
    new one or patches around it.

    ## Example
    ```python
    from torchvision import datasets

    train = datasets.CIFAR10(root="./data", train=True, download=True)
    ```

    ## Use instead
    ```python
    def load_raw(name, data_root, seed):
        # PLACEHOLDER: will be replaced with the loader of the derived dataset
        raise NotImplementedError(f"{DATASET_PLACEHOLDER}: no dataset {name!r}")
    ```
    """

    code = "HPG701"
    name = "real-dataset-loading"
    message = "{path} loads a real dataset in the base package: {call}"
    fix_title = "Leave the dataset to a placeholder in src/preprocess.py (derive fills it in)"
    modes = frozenset({"base"})
    VALID = [Example({"src/preprocess.py": "import numpy as np\nfrom torchvision.datasets import FakeData\n\n\n"
                                           "def load_dataset(path):\n    return np.load(path), FakeData(size=8)\n\n\n"
                                           "DATA = load_dataset('data.npz')\n"})]
    INVALID = [
        Example({"src/preprocess.py": "from torchvision import datasets\n\n"
                                      "train = datasets.CIFAR10(root='./data', train=True, download=True)\n"}),
        Example({"src/train.py": "from datasets import load_dataset\n\nDATA = load_dataset('imdb')\n"}),
        Example({"src/preprocess.py": "from sklearn.datasets import load_digits\n\nDIGITS = load_digits()\n"}),
        Example({"src/preprocess.py": "import pandas as pd\nimport torchvision\n\nTABLE = pd.read_csv('data/train.csv')\n"
                                      "SET = getattr(torchvision.datasets, 'MNIST')\n"}),
    ]

    def check(self, package: ReviewedPackage):
        for source in package.python_files():
            tree = source.python
            if tree is None:
                continue
            aliases = {**SHORT, **astutil.import_aliases(tree)}
            for node, name in astutil.calls(tree):
                loaded = self.loaded(node, astutil.resolved(name, aliases) if name else "", aliases)
                if loaded:
                    yield self.at(source.path, node, path=source.path, call=loaded)

    @staticmethod
    def loaded(node: ast.Call, full: str, aliases: dict[str, str]) -> str | None:
        """The call as the message shows it, None when it loads no real dataset."""
        head, _, member = full.rpartition(".")
        if head == "torchvision.datasets":
            return f"{full}(...)" if member[:1].isupper() and member not in GENERIC_TORCHVISION else None
        if full == "getattr" and len(node.args) >= 2:
            target, attribute = node.args[0], node.args[1]
            if astutil.resolved(astutil.dotted(target), aliases) == "torchvision.datasets" \
                    and isinstance(attribute, ast.Constant) and isinstance(attribute.value, str) \
                    and attribute.value not in GENERIC_TORCHVISION:
                return f"getattr(torchvision.datasets, {attribute.value!r})"
            return None
        if ALWAYS.match(full):
            return f"{full}(...)"
        if full in NAMED_BY_ARGUMENT or full in FILE_READERS:
            first = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg in ("path", "name", "f", "file", "fname")), None)
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and not PLACEHOLDER.search(first.value):
                return f"{full}({first.value!r})"
        return None
