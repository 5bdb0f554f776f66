"""The metric keys every train() result must carry (docs/train-contract.md)."""

CLASSIFICATION_KEYS = frozenset({
    "loss",
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "training_time",
    "epochs_completed",
    "best_epoch",
})
REGRESSION_KEYS = frozenset({"loss", "rmse", "mae", "r2", "training_time", "epochs_completed", "best_epoch"})


def classification_keys(labels) -> set[str]:
    """The common classification keys plus precision, recall and F1 for each class label."""
    per_class = {f"{metric}_class_{label}" for metric in ("precision", "recall", "f1") for label in labels}
    return set(CLASSIFICATION_KEYS) | per_class
