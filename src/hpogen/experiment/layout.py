"""The 8-file layout of an experiment package, shared by basecode/derive and the reviewer."""

PACKAGE_FILES = (
    "src/train.py",
    "src/evaluate.py",
    "src/preprocess.py",
    "src/model.py",
    "src/main.py",
    "pyproject.toml",
    "config/smoke_test.yaml",
    "config/full_experiment.yaml",
)
