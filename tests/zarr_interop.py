"""Zarr interop with Python's zarr: `check DIR` verifies arrays dagger wrote,
`write DIR` writes arrays for dagger to read. Every array is named
<dtype>_<1d|2d>_<C|F>_<raw|zstd> and holds v(i, j) = i + 1000 j (+ 0.5 for
floating types; (i + 2 j) % 3 == 0 for bool; wrapped around for narrow
integers, as a C++ cast wraps), the formula the C++ test uses."""
import os
import sys

import numcodecs
import numpy as np
import zarr

DTYPES = {"f8": "<f8", "f4": "<f4", "i8": "<i8", "b1": "|b1", "i4": "<i4", "i2": "<i2", "i1": "|i1",
          "u8": "<u8", "u4": "<u4", "u2": "<u2", "u1": "|u1"}


def expected(dtype, shape):
    if len(shape) == 1:
        i, j = np.arange(shape[0]), 0
    else:
        i, j = np.indices(shape)
    if dtype == "b1":
        return (i + 2 * j) % 3 == 0
    values = np.asarray(i + 1000 * j + (0.5 if dtype.startswith("f") else 0))
    if dtype.startswith("f"):
        return values.astype(DTYPES[dtype])
    bits = 8 * np.dtype(DTYPES[dtype]).itemsize
    wrapped = values.astype(np.int64) % (1 << bits)  # numpy refuses to cast out-of-range values
    if dtype.startswith("i"):
        wrapped = np.where(wrapped >= 1 << (bits - 1), wrapped - (1 << bits), wrapped)
    return wrapped.astype(DTYPES[dtype])


def names():
    for dtype in DTYPES:
        for dims in ("1d", "2d"):
            for order in ("C", "F"):
                for codec in ("raw", "zstd"):
                    yield dtype, dims, order, codec


def check(root):
    count = 0
    for dtype, dims, order, codec in names():
        path = os.path.join(root, f"{dtype}_{dims}_{order}_{codec}")
        if not os.path.isdir(path):
            continue
        a = zarr.open(path, mode="r")
        problems = []
        if a.dtype != np.dtype(DTYPES[dtype]):
            problems.append(f"dtype {a.dtype}")
        if a.order != order:
            problems.append(f"order {a.order}")
        if (a.compressor is None) != (codec == "raw") or (codec == "zstd" and a.compressor.codec_id != "zstd"):
            problems.append(f"compressor {a.compressor}")
        if not np.array_equal(a[...], expected(dtype, a.shape)):
            problems.append("values differ")
        if problems:
            print(f"{path}: " + ", ".join(problems))
            return 1
        count += 1
    print(f"checked {count} arrays")
    return 0 if count > 0 else 1


def write(root):
    for dtype, dims, order, codec in names():
        shape, chunks = ((11,), (4,)) if dims == "1d" else ((7, 5), (3, 2))
        compressor = None if codec == "raw" else numcodecs.Zstd(level=3)
        a = zarr.open(os.path.join(root, f"{dtype}_{dims}_{order}_{codec}"), mode="w", shape=shape, chunks=chunks,
                      dtype=DTYPES[dtype], order=order, compressor=compressor, write_empty_chunks=True)
        a[...] = expected(dtype, shape)
    print("written")
    return 0


if __name__ == "__main__":
    sys.exit({"check": check, "write": write}[sys.argv[1]](sys.argv[2]))
