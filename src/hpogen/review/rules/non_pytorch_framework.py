from __future__ import annotations

import re

from ..astutil import imported_top_modules
from ..package import ReviewedPackage
from ..rule import Example, Rule

FRAMEWORKS = {"tensorflow", "keras", "tf_keras", "jax", "flax", "haiku", "optax", "mxnet", "paddle",
              "chainer", "theano", "mindspore", "oneflow"}


class NonPytorchFramework(Rule):
    """Flags an import of a deep-learning framework other than PyTorch.

    ## What it does
    Reports every import of tensorflow, keras, tf_keras, jax, flax, haiku, optax, mxnet,
    paddle, chainer, theano, mindspore or oneflow in a src/ module. Libraries built on PyTorch
    (Lightning, torchvision, timm) are fine.

    ## Why is this bad?
    Experiments are PyTorch only: the runners' environments, the model catalogue, the saved
    weights and the derive step all assume it. A second framework adds a large dependency that
    fights PyTorch for the GPU's memory, and a model written in it cannot be swapped in by the
    derive step.

    ## Example
    ```python
    import tensorflow as tf
    model = tf.keras.applications.ResNet50(weights=None)
    ```

    ## Use instead
    ```python
    import torchvision
    model = torchvision.models.resnet50(weights=None)
    ```
    """

    code = "HPG601"
    name = "non-pytorch-framework"
    message = "{path} imports {module}: experiments use PyTorch only"
    fix_title = "Rewrite this part with PyTorch (torch, torchvision, timm or Lightning)"
    VALID = [Example({"src/model.py": "import timm\nimport torch\nimport torchvision\nimport lightning\n"})]
    INVALID = [Example({"src/model.py": "import tensorflow as tf\n"}),
               Example({"src/train.py": "import jax.numpy as jnp\nfrom flax import linen as nn\n"}),
               Example({"src/preprocess.py": "from keras.datasets import cifar10\n"})]

    def check(self, package: ReviewedPackage):
        for relative in package.listing:
            if not re.fullmatch(r"src/[^/]+\.py", relative):
                continue
            source = package.file(relative)
            tree = source.python if source is not None else None
            for module, node in imported_top_modules(tree) if tree is not None else []:
                if module in FRAMEWORKS:
                    yield self.at(relative, node, path=relative, module=module)
