"""A generated image train.py on data that stays on disk: a decoded-image cache, split into row
views, streamed a batch at a time; and the search and final resolutions of IMG-RESOLUTION.

The generated code runs in a driver process (image_driver), as in test_train_image.py.
"""

from __future__ import annotations

import pytest
from image_driver import run_driver
from images import write_digit_folder

STREAM_BODY = """
bundle = load_bundle(PARAMS["grey"], "grey_train")
sys.path.insert(0, PARAMS["grey"])
import bundle_data
import bundle_rows

class CountingRows(bundle_rows.RowView):
    # a row view that records every read, and refuses to be loaded whole
    reads = []

    def __getitem__(self, key):
        rows = super().__getitem__(key)
        CountingRows.reads.append(len(rows))
        return rows

    def __array__(self, dtype=None, copy=None):
        raise AssertionError("the streamed path loaded the images whole")

data = bundle_data.read_data(PARAMS["folder"], "image", image_shape=(1, 8, 8), cache_dir=PARAMS["cache"])
kept, test = bundle_data.hold_out(data, "classification", 0, 0.2)
results["kinds"] = [type(data["X"]).__name__, type(kept["X"]).__name__]
config = {"n_conv_layers": 2, "batch_size": 32, "learning_rate": 0.003}
bundle.EVALUATION_BATCH_SIZE = 64  # evaluation and statistics read in chunks of 64 rows
for name, stream in (("memory", False), ("stream", True)):
    X, X_test = kept["X"], test["X"]
    if stream:
        X, X_test = CountingRows(X.source, X.rows), CountingRows(X_test.source, X_test.rows)
    dataset = {"X": X, "y": kept["y"], "X_test": X_test, "y_test": test["y"], "stream_images": stream}
    results[name] = bundle.train(config, dataset, seed=0, budget=4)
results["reads"] = CountingRows.reads
# without the flag, the memory rule decides: a tiny share of the host's memory makes it stream
bundle.HOST_MEMORY_SHARE = 1e-12
prepared = bundle.prepare_data({"X": kept["X"], "y": kept["y"]}, 0, bundle.pick_device())
results["auto_streamed"] = prepared.streamed
results["available"] = bundle.available_host_memory()
"""

RESOLUTION_BODY = """
bundle = load_bundle(PARAMS["large"], "large_train")
rng = np.random.default_rng(0)
labels = np.arange(40) % 2
images = rng.integers(0, 100, (40, 96, 80, 3), dtype=np.uint8) + (labels * 100).astype(np.uint8)[:, None, None, None]
results["sizes"] = [list(bundle.SEARCH_SIZE), list(bundle.FINAL_SIZE)]
for name, extra in (("search", {"resolution": "search"}), ("final", {}), ("streamed", {"stream_images": True})):
    folder = PARAMS["models"] + "/" + name
    metrics = bundle.train({"batch_size": 16}, {"X": images, "y": labels, **extra}, seed=0, budget=1, model_dir=folder)
    metadata = json.load(open(folder + "/metadata.json"))
    results[name] = {"shape": metadata["image_shape"], "loss": metrics["loss"]}
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    from bundles import generate

    root = tmp_path_factory.mktemp("streaming")
    large = ["--dataset-type", "image", "--name", "photos", "--n-samples", "40", "--n-classes", "2",
             "--image-shape", "3,96,80"]
    params = {
        "grey": str(generate(["--dataset", "digits"], root / "grey")),
        "large": str(generate(large, root / "large")),
        "folder": str(write_digit_folder(root / "digits", per_class=60, odd=False)),
        "cache": str(root / "cache"),
        "models": str(root / "models"),
    }
    return run_driver(root, [STREAM_BODY, RESOLUTION_BODY], params)


def test_streamed_training_from_the_cache_scores_as_in_memory(results):
    assert results["kinds"] == ["memmap", "RowView"]  # the hold-out left the cache on disk
    memory, stream = results["memory"], results["stream"]
    assert stream["epochs_completed"] == memory["epochs_completed"] == 4
    assert stream["loss"] == pytest.approx(memory["loss"], abs=0.02)
    assert stream["accuracy"] > 0.5


def test_streamed_training_reads_batches_never_the_whole_set(results):
    reads = results["reads"]
    assert len(reads) > 4 * 480 / 64  # every epoch reads its batches, the evaluations theirs
    assert max(reads) <= 64  # batches of 32, chunks of 64: never the 480 rows at once


def test_the_memory_rule_streams_what_does_not_fit(results):
    assert results["auto_streamed"] is True
    assert results["available"] > 2**20


def test_the_search_trains_at_the_reduced_resolution_and_the_refit_at_the_final(results):
    assert results["sizes"] == [[64, 53], [96, 80]]
    assert results["search"]["shape"] == [3, 64, 53]
    assert results["final"]["shape"] == results["streamed"]["shape"] == [3, 96, 80]
    assert results["final"]["loss"] == pytest.approx(results["streamed"]["loss"], abs=0.15)
