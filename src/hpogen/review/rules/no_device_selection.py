from __future__ import annotations

import ast

from .. import astutil
from ..astutil import dotted, import_aliases, imported_top_modules, resolved
from ..package import ReviewedPackage
from ..rule import Example, Rule

HEAD = "import torch\n\n\ndef train(cfg, dataset, seed, budget=None, model_dir=None):\n"
CHECKS = ("torch.cuda.is_available", "torch.backends.mps.is_available", "torch.xpu.is_available",
          "torch.accelerator", "torch.cuda.device_count")
# uses of torch that need no device: a module that only seeds torch has nothing to place
DEVICE_FREE = ("torch.manual_seed", "torch.cuda.manual_seed", "torch.backends.cudnn", "torch.set_num_threads",
               "torch.use_deterministic_algorithms", "torch.random")


class NoDeviceSelection(Rule):
    """Flags a torch train function that never picks its device from what is available.

    ## What it does
    When train.py imports torch, looks for a device chosen from availability:
    `torch.cuda.is_available()`, `torch.backends.mps.is_available()`,
    `torch.xpu.is_available()`, `torch.cuda.device_count()` or `torch.accelerator`. Without
    one it reports each hard-coded `.cuda()`, `torch.device("cuda")`, `.to("cuda")` or
    `device="cuda"`, or else the import (a module that only seeds torch is left alone).

    ## Why is this bad?
    Without a device the network trains on the CPU even on the GPU runner, tens of times
    slower, so the search finishes a fraction of its trials. Hard-coding "cuda" fails the
    other way: every trial crashes on a machine without a GPU (tests, laptops, CI).

    ## Example
    ```python
    model = Net().cuda()
    ```

    ## Use instead
    ```python
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Net().to(device)
    ```
    """

    code = "HPG908"
    name = "no-device-selection"
    message = "{problem}"
    fix_title = 'Pick the device once: torch.device("cuda" if torch.cuda.is_available() else "cpu")'
    modes = frozenset({"train"})
    VALID = [Example({"train.py": HEAD + "    device = 'cuda' if torch.cuda.is_available() else 'cpu'\n"
                                  "    x = torch.zeros(3, device=device)\n"
                                  "    return {'loss': float(x.sum())}\n"}, mode="train"),
             Example({"train.py": HEAD + "    torch.manual_seed(seed)\n    return {'loss': 0.0}\n"}, mode="train")]
    INVALID = [Example({"train.py": HEAD + "    x = torch.zeros(3)\n    return {'loss': float(x.sum())}\n"},
                       mode="train"),
               Example({"train.py": HEAD + "    x = torch.zeros(3).cuda()\n    return {'loss': float(x.sum())}\n"},
                       mode="train"),
               Example({"train.py": HEAD + "    device = torch.device('cuda')\n"
                                           "    x = torch.zeros(3).to(device)\n"
                                           "    return {'loss': float(x.sum())}\n"}, mode="train")]

    def check(self, package: ReviewedPackage):
        source = package.file("train.py")
        tree = source.python if source is not None else None
        imports = [node for module, node in imported_top_modules(tree) if module == "torch"] if tree else []
        if not imports:
            return
        aliases = import_aliases(tree)
        inner = {id(n.value) for n in astutil.walk(tree) if isinstance(n, ast.Attribute)}
        used = {resolved(dotted(n), aliases) for n in astutil.walk(tree)
                if isinstance(n, (ast.Name, ast.Attribute)) and id(n) not in inner}
        torch_used = {name for name in used if name.startswith("torch.")}
        if any(name.startswith(CHECKS) for name in used):
            return
        hard_coded = [n for n in astutil.walk(tree) if isinstance(n, ast.Call) and cuda_call(n)]
        for node in hard_coded:
            yield self.at("train.py", node, problem="train.py hard-codes the CUDA device without checking it is available")
        if not hard_coded and any(not name.startswith(DEVICE_FREE) for name in torch_used):
            yield self.at("train.py", imports[0], problem="train.py uses torch but never selects a device "
                                                          "(torch.cuda.is_available())")


def cuda_call(node: ast.Call) -> bool:
    """`.cuda()`, `torch.device("cuda")`, `.to("cuda:0")`, or any call given device="cuda"."""
    callee = dotted(node.func).rsplit(".", 1)[-1]
    if callee == "cuda":
        return True
    values = [*(node.args if callee in ("device", "to") else []), *(k.value for k in node.keywords if k.arg == "device")]
    return any(isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.startswith("cuda")
               for v in values)
