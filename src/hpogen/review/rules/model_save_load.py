from __future__ import annotations

from ..astutil import calls, import_aliases, resolved
from ..package import PACKAGE_FILES, ReviewedPackage
from ..rule import Example, Rule

SAVES = ("torch.save", "safetensors.torch.save_file", "safetensors.torch.save_model")
LOADS = ("torch.load", "safetensors.torch.load_file", "safetensors.torch.load_model")
LOAD_METHODS = ("load_state_dict", "load_from_checkpoint")
GOOD = """import torch


def save(model, path):
    torch.save(model.state_dict(), path)


def load(model, path):
    model.load_state_dict(torch.load(path, weights_only=True))
    return model
"""


class ModelSaveLoad(Rule):
    """Flags a package whose modules never save a trained model, or never load one back.

    ## What it does
    Looks through the five src/ modules for a call that saves a model (`torch.save` of a
    state_dict or model, or safetensors' save_file) and one that loads it back (`torch.load`,
    `.load_state_dict(...)`, safetensors' load_file). Reports which of the two is missing.

    ## Why is this bad?
    The trained weights are part of the experiment's output: without them no result can be
    checked or reused after the GPU job ends. Saving without ever loading leaves a file nobody
    has shown to be readable; a pickled model that fails to load is only found out later.

    ## Example
    ```python
    accuracy = evaluate(model, test_loader)   # the weights are lost when the process exits
    ```

    ## Use instead
    ```python
    torch.save(model.state_dict(), run_dir / "model.pt")
    model.load_state_dict(torch.load(run_dir / "model.pt", weights_only=True))
    ```
    """

    code = "HPG504"
    name = "model-save-load"
    message = "no src/ module {problem}"
    fix_title = "Save the best model's state_dict with torch.save and load it back with load_state_dict"
    VALID = [Example({"src/model.py": GOOD}),
             Example({"src/model.py": "def build(name):\n    return name\n",
                      "src/train.py": GOOD.replace("import torch", "from torch import load, save")
                      .replace("torch.save", "save").replace("torch.load", "load")})]
    INVALID = [Example({"src/model.py": GOOD.replace("model.load_state_dict(torch.load(path, weights_only=True))",
                                                     "pass")}),
               Example({"src/model.py": GOOD.replace("torch.save(model.state_dict(), path)", "pass")}),
               Example({"src/model.py": "def build(name):\n    return name\n"})]

    def check(self, package: ReviewedPackage):
        saves = loads = False
        for relative in PACKAGE_FILES[:5]:
            source = package.file(relative)
            tree = source.python if source is not None else None
            if tree is None:
                return  # a module that is missing or does not parse may hold either call
            aliases = import_aliases(tree)
            for _node, name in calls(tree):
                full = resolved(name, aliases)
                saves |= full in SAVES
                loads |= full in LOADS or name.rsplit(".", 1)[-1] in LOAD_METHODS
        missing = [part for part, done in (("saves a model (torch.save)", saves), ("loads a saved "
                   "model back (torch.load / load_state_dict)", loads)) if not done]
        if missing:
            yield self.finding("src/train.py", 1, 1, problem=" or ".join(missing))
