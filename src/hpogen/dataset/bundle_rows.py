"""Rows of a memory-mapped array, chosen by index, that stay on disk until they are used.

Splitting a data set that lives in a file (a decoded-image cache, a large .npy) by fancy indexing
would read the chosen rows whole into memory. A RowView keeps the file mapped and the row
numbers, and reads rows only when indexed: a batch at a time in a training loop, or all at once
through np.asarray when a caller wants them in memory. Pickled (dask sends data to workers that
way) it travels as the file's name and the row numbers, and maps the file again on arrival.

Like bundle_data.py, which uses it, hpogen splits data with this module and copies it unchanged
into every bundle; it must never import hpogen. It needs numpy only.
"""

import mmap


class RowView:
    """The rows `rows` of the array `source`, read from it only when indexed.

    Has the shape, dtype, ndim and len of the array it stands for. Indexing with an int gives one
    row; with a slice, a list or an array of ints it gives those rows as a new numpy array (a
    copy, never a view: the rows are gathered from the file). np.asarray reads every row.
    """

    def __init__(self, source, rows):
        import numpy as np

        rows = np.arange(len(source))[rows] if isinstance(rows, slice) else rows
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        rows = np.where(rows < 0, rows + len(source), rows)
        if isinstance(source, RowView):
            source, rows = source.source, source.rows[rows]
        self.source, self.rows = _rooted(source, rows)

    @property
    def shape(self) -> tuple:
        return (len(self.rows), *self.source.shape[1:])

    @property
    def dtype(self):
        return self.source.dtype

    @property
    def ndim(self) -> int:
        return self.source.ndim

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key):
        import numpy as np

        if isinstance(key, tuple):
            raise TypeError("a RowView is indexed by rows only")
        picked = self.rows[key]
        if np.ndim(picked) == 0:
            return np.asarray(self.source[int(picked)])
        return np.asarray(self.source[picked])

    def __array__(self, dtype=None, copy=None):
        import numpy as np

        rows = np.asarray(self.source[self.rows])
        return rows if dtype is None else rows.astype(dtype, copy=False)

    def __reduce__(self):
        where = mapped_file(self.source)
        if where is None:
            return RowView, (self.source, self.rows)
        return _reopen, (*where, self.rows)

    def __repr__(self) -> str:
        return (
            f"RowView({len(self.rows)} of {len(self.source)} rows, {self.dtype}, {self.shape[1:]})"
        )


def is_mapped(values) -> bool:
    """Whether values are read from a memory-mapped file (a RowView, a memmap or a view of one)."""
    return isinstance(values, RowView) or _mapping(values) is not None


def mapped_file(values):
    """(file name, dtype, shape, offset, order) of a memmap that maps a whole array of a file,
    else None."""
    import numpy as np

    if not isinstance(values, np.memmap) or not isinstance(values.base, mmap.mmap):
        return None
    if not values.filename:
        return None
    order = "F" if values.flags.f_contiguous and not values.flags.c_contiguous else "C"
    return values.filename, values.dtype.str, values.shape, values.offset, order


def _reopen(filename, dtype, shape, offset, order, rows):
    import numpy as np

    source = np.memmap(filename, dtype=dtype, mode="r", shape=shape, offset=offset, order=order)
    return RowView(source, rows)


def _mapping(values):
    """The mmap.mmap under a numpy array, or None."""
    base = values
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    return base


def _rooted(values, rows) -> tuple:
    """(array, rows) with a row slice of a whole-file memmap replaced by that memmap, the rows
    shifted to match, so a RowView of it pickles as the file."""
    import numpy as np

    root = values
    while isinstance(getattr(root, "base", None), np.ndarray):
        root = root.base
    if root is values or mapped_file(root) is None:
        return values, rows
    same_rows = values.shape[1:] == root.shape[1:] and values.flags.c_contiguous
    if not (same_rows and root.flags.c_contiguous and values.dtype == root.dtype):
        return values, rows
    row_bytes = root.itemsize * int(np.prod(root.shape[1:], dtype=np.int64))
    start = values.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if row_bytes == 0 or start % row_bytes:
        return values, rows
    return root, rows + start // row_bytes
