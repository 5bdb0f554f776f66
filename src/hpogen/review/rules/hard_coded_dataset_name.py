from __future__ import annotations

import ast
import re

from .. import astutil
from ..package import ReviewedPackage
from ..rule import Example, Rule

CORE_MODULES = ("src/train.py", "src/evaluate.py", "src/main.py")
KNOWN_DATASETS = frozenset("""
    cifar10 cifar100 mnist fashionmnist kmnist emnist qmnist svhn stl10 imagenet imagenet1k
    imagenet21k tinyimagenet celeba coco mscoco voc pascalvoc cityscapes ade20k lsun caltech101
    caltech256 flowers102 oxfordpets oxfordiiitpet food101 places365 inaturalist wikitext103
    wikitext2 ptb penntreebank imdb sst2 glue superglue squad squadv2 agnews yelp yelppolarity
    openwebtext c4 wmt14 wmt16 mnli qnli cola bookcorpus iris breastcancer californiahousing
    covtype covertype higgs
""".split())
IGNORED = re.compile(r"[-_\s]")
FREE_TEXT = re.compile(r"(?i)description|notes?$|help|usage")


class HardCodedDatasetName(Rule):
    """Flags a known dataset's name written into the training, evaluation or orchestration code.

    ## What it does
    Reports, in src/train.py, src/evaluate.py and src/main.py of a base package, a string
    constant that is exactly a well-known dataset's name (`"cifar10"`, `"MNIST"`,
    `"wikitext-103"`; case, `-`, `_` and spaces ignored) used in code: a comparison, a default,
    a dict key, a call argument. Docstrings, help texts and free-text description dicts are not
    searched.

    ## Why is this bad?
    The dataset of a variation comes from its run in the config (`run["dataset"]`) and is
    loaded by src/preprocess.py. Core logic that names one dataset (`if dataset ==
    "cifar10": ...`, `default="mnist"`) behaves differently, or wrongly, for every other
    dataset a derived package is given.

    ## Example
    ```python
    num_classes = 100 if run["dataset"] == "cifar100" else 10
    ```

    ## Use instead
    ```python
    num_classes = data["num_classes"]  # from src/preprocess.py
    ```
    """

    code = "HPG702"
    name = "hard-coded-dataset-name"
    message = "{path} names the dataset {value!r} in code: the base package must not assume one"
    fix_title = "Take the dataset from the run's config and its facts from src/preprocess.py"
    modes = frozenset({"base"})
    VALID = [Example({"src/train.py": '"""Trains on cifar10 or any other set."""\n\n'
                                      'DESCRIPTION = {"dataset": "CIFAR-10"}\nname = run["dataset"]\n'})]
    INVALID = [
        Example({"src/train.py": 'def classes(run):\n    return 100 if run["dataset"] == "cifar100" else 10\n'}),
        Example({"src/main.py": 'import argparse\n\nparser = argparse.ArgumentParser()\n'
                                'parser.add_argument("--dataset", default="MNIST")\n'}),
        Example({"src/evaluate.py": 'BASELINES = {"imagenet-1k": 0.76}\n'}),
    ]

    def check(self, package: ReviewedPackage):
        for relative in CORE_MODULES:
            source = package.file(relative)
            tree = source.python if source is not None else None
            if tree is None:
                continue
            skipped = astutil.docstrings(tree) | self.free_text(tree)
            for node in astutil.strings(tree):
                if id(node) not in skipped and IGNORED.sub("", node.value).lower() in KNOWN_DATASETS:
                    yield self.at(relative, node, path=relative, value=node.value)

    @staticmethod
    def free_text(tree) -> set[int]:
        """ids of the strings under a description-like name, dict key or keyword argument."""
        found: set[int] = set()
        for node in astutil.walk(tree):
            parts = []
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(FREE_TEXT.search(astutil.dotted(t).split(".")[-1]) for t in targets):
                    parts.append(node.value)
            elif isinstance(node, ast.Dict):
                parts += [v for k, v in zip(node.keys, node.values, strict=False)
                          if isinstance(k, ast.Constant) and isinstance(k.value, str) and FREE_TEXT.search(k.value)]
            elif isinstance(node, ast.keyword) and node.arg and FREE_TEXT.search(node.arg):
                parts.append(node.value)
            found |= {id(s) for part in parts if part is not None for s in astutil.strings(part)}
        return found
