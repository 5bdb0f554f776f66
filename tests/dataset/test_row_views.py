"""Row views: a split of a memory-mapped array reads nothing until used, and pickles as its file."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from hpogen.dataset import bundle_data
from hpogen.dataset.bundle_rows import RowView, is_mapped


@pytest.fixture
def mapped(tmp_path):
    values = np.arange(2000 * 3 * 4 * 4, dtype=np.uint8).reshape(2000, 3, 4, 4)
    np.save(tmp_path / "X.npy", values)
    return values, np.load(tmp_path / "X.npy", mmap_mode="r")


def test_a_row_view_reads_the_rows_it_names(mapped):
    values, memmap = mapped
    rows = np.random.default_rng(0).permutation(2000)[:700]
    view = RowView(memmap, rows)
    assert view.shape == (700, 3, 4, 4) and len(view) == 700 and view.dtype == np.uint8
    np.testing.assert_array_equal(np.asarray(view), values[rows])
    np.testing.assert_array_equal(view[5], values[rows[5]])
    np.testing.assert_array_equal(view[10:20], values[rows[10:20]])
    np.testing.assert_array_equal(view[np.array([3, 1, 2])], values[rows[[3, 1, 2]]])
    np.testing.assert_array_equal(np.asarray(view, dtype=np.float32), values[rows].astype(np.float32))
    assert type(view[10:20]) is np.ndarray  # a copy of those rows, not a view of the file


def test_views_of_views_and_of_row_slices_keep_the_file(mapped):
    values, memmap = mapped
    part = memmap[500:1500]  # as read_image_folder gives a folder's train part
    view = RowView(part, [0, 10, -1])
    assert view.source is memmap or view.source.base is memmap.base
    np.testing.assert_array_equal(np.asarray(view), values[[500, 510, 1499]])
    inner = RowView(view, [2, 0])
    np.testing.assert_array_equal(np.asarray(inner), values[[1499, 500]])
    assert is_mapped(part) and is_mapped(view) and not is_mapped(values)


def test_a_row_view_pickles_as_its_file_not_its_rows(mapped):
    values, memmap = mapped
    rows = np.arange(0, 2000, 2)
    view = RowView(memmap[100:], rows[:900])
    data = pickle.dumps(view)
    assert len(data) < 16_000  # the row numbers (7.2 KB) and the file's name, not 48 KB of pixels
    again = pickle.loads(data)
    np.testing.assert_array_equal(np.asarray(again), values[100:][rows[:900]])
    in_memory = RowView(values, rows)  # not mapped: pickles its array, and still round-trips
    np.testing.assert_array_equal(np.asarray(pickle.loads(pickle.dumps(in_memory))), values[rows])


def test_hold_out_of_mapped_images_splits_without_loading(mapped):
    values, memmap = mapped
    y = np.arange(2000) % 4
    loaded = {"X": values, "y": y, "kind": "image"}
    on_disk = {"X": memmap, "y": y, "kind": "image"}
    kept, test = bundle_data.hold_out(loaded, "classification", 3, 0.2)
    kept_view, test_view = bundle_data.hold_out(on_disk, "classification", 3, 0.2)
    assert isinstance(kept_view["X"], RowView) and isinstance(test_view["X"], RowView)
    np.testing.assert_array_equal(np.asarray(kept_view["X"]), kept["X"])
    np.testing.assert_array_equal(np.asarray(test_view["X"]), test["X"])
    refit_val = bundle_data.take(kept_view["X"], np.arange(10))  # as the runner's refit does
    np.testing.assert_array_equal(np.asarray(refit_val), kept["X"][:10])
    given = bundle_data.hold_out({**on_disk, "X_test": memmap[:5], "y_test": y[:5]}, "classification", 0, 0.2)
    assert isinstance(given[0]["X"], RowView) and len(given[1]["X"]) == 5
