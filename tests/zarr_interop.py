"""Zarr interop with Python's zarr: `check DIR` verifies arrays dagger wrote,
`write DIR` writes arrays for dagger to read, `write-special DIR` writes
what Python's zarr produces beyond plain arrays (missing chunks with NaN,
-Infinity and integer fill values, big-endian dtypes, one with a Delta
filter, "/" separators);
`check-group DIR` and `write-group DIR` do the same for groups with
attributes and consolidated metadata; `check-nd DIR` and `write-nd DIR` for
arrays of 0, 3 and 4 dimensions (named nd_<dtype>_<rank>d_<order>_<codec>,
holding v(i, j, k, l) = i + 10 j + 100 k + 1000 l, + 0.5 for floating
types, v % 3 == 0 for bool).
Every array is named <dtype>_<1d|2d>_<C|F>_<codec> and holds
v(i, j) = i + 1000 j (+ 0.5 for floating types; (i + 2 j) % 3 == 0 for bool;
wrapped around for narrow integers, as a C++ cast wraps), the formula the
C++ test uses. A codec is raw, zstd, zlib, gzip, lz4, bz2 or
blosc-<cname>-<none|byte|bit>, after "delta-" with numcodecs' Delta filter
(every type but bool)."""
import os
import sys

import numcodecs
import numpy as np
import zarr

DTYPES = {"f8": "<f8", "f4": "<f4", "i8": "<i8", "b1": "|b1", "i4": "<i4", "i2": "<i2", "i1": "|i1",
          "u8": "<u8", "u4": "<u4", "u2": "<u2", "u1": "|u1"}
# Raw and zstd in both orders and Python's default compressor for every
# type; every codec for these (save_load_test.cpp's every_codec).
EVERY_CODEC = ("f8", "i2", "b1")
CASES = ["F_raw", "C_raw", "F_zstd", "C_zstd", "C_blosc-lz4-byte"]
MORE_CASES = ["F_blosc-zstd-bit", "C_blosc-blosclz-none", "F_blosc-lz4hc-byte", "C_blosc-zlib-bit", "F_zlib", "C_gzip",
              "F_lz4", "C_bz2"]
DELTA_CASES = ["F_delta-zstd", "C_delta-raw"]
SHUFFLES = {"none": numcodecs.Blosc.NOSHUFFLE, "byte": numcodecs.Blosc.SHUFFLE, "bit": numcodecs.Blosc.BITSHUFFLE}


def compressor(codec):
    """The numcodecs compressor with the settings dagger's test saves with."""
    codec = codec.removeprefix("delta-")
    if codec == "raw":
        return None
    if codec.startswith("blosc-"):
        _, cname, shuffle = codec.split("-")
        return numcodecs.Blosc(cname=cname, clevel=3 if cname == "zstd" else 5, shuffle=SHUFFLES[shuffle])
    return {"zstd": numcodecs.Zstd(level=3), "zlib": numcodecs.Zlib(level=1), "gzip": numcodecs.GZip(level=1),
            "lz4": numcodecs.LZ4(acceleration=1), "bz2": numcodecs.BZ2(level=1)}[codec]


def filters(dtype, codec):
    return [numcodecs.Delta(dtype=DTYPES[dtype])] if codec.startswith("delta-") else None


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
            for case in (CASES + (MORE_CASES if dtype in EVERY_CODEC else []) +
                         (DELTA_CASES if dtype != "b1" else [])):
                order, codec = case.split("_")
                yield dtype, dims, order, codec


def config(codec):
    """A compressor's settings as .zarray holds them, less Blosc's block size."""
    c = None if codec is None else codec.get_config()
    if c is not None:
        c.pop("blocksize", None)
    return c


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
        if config(a.compressor) != config(compressor(codec)):
            problems.append(f"compressor {a.compressor}, expected {compressor(codec)}")
        if (a.filters or None) != filters(dtype, codec):
            problems.append(f"filters {a.filters}, expected {filters(dtype, codec)}")
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
        a = zarr.open(os.path.join(root, f"{dtype}_{dims}_{order}_{codec}"), mode="w", shape=shape, chunks=chunks,
                      dtype=DTYPES[dtype], order=order, compressor=compressor(codec), filters=filters(dtype, codec),
                      write_empty_chunks=True)
        a[...] = expected(dtype, shape)
    print("written")
    return 0


def write_special(root):
    def open_new(name, **kwargs):
        return zarr.open(os.path.join(root, name), mode="w", shape=(7, 5), chunks=(3, 2), **kwargs)

    # Only chunk (1, 1) is written; the others are missing files.
    a = open_new("nan_fill", dtype="<f8", fill_value=np.nan)
    a[3:6, 2:4] = expected("f8", (7, 5))[3:6, 2:4]
    open_new("inf_fill", dtype="<f4", fill_value=-np.inf)
    open_new("int_fill", dtype="<i4", fill_value=7, compressor=numcodecs.Blosc())
    for name, dtype, codec in (("big_endian_f8", ">f8", None), ("big_endian_i2_blosc", ">i2", numcodecs.Blosc())):
        a = open_new(name, dtype=dtype, compressor=codec, write_empty_chunks=True)
        a[...] = expected(dtype.replace(">", "")[0] + dtype[2:], (7, 5))
    a = open_new("big_endian_i8_delta", dtype=">i8", compressor=numcodecs.Blosc(), filters=[numcodecs.Delta(">i8")],
                 write_empty_chunks=True)
    a[...] = expected("i8", (7, 5))
    store = zarr.DirectoryStore(os.path.join(root, "slash_separator"), dimension_separator="/")
    a = zarr.open(store, mode="w", shape=(7, 5), chunks=(3, 2), dtype="<f8", write_empty_chunks=True)
    a[...] = expected("f8", (7, 5))
    assert os.path.isfile(os.path.join(root, "slash_separator", "2", "1"))
    assert not os.path.exists(os.path.join(root, "nan_fill", "0.0"))
    print("written")
    return 0


def check_group(root):
    """The group dagger's test made: attributes, nested arrays, consolidated metadata."""
    g = zarr.open_consolidated(root, mode="r")
    problems = []
    if dict(g.attrs) != {"title": "run 1", "step": 3}:
        problems.append(f"group attributes {dict(g.attrs)}")
    if dict(g["x"].attrs) != {"units": "K"}:
        problems.append(f"x attributes {dict(g['x'].attrs)}")
    if not np.array_equal(g["x"][...], expected("f8", (7, 5))):
        problems.append("x values differ")
    if not np.array_equal(g["sub/y"][...], expected("i4", (11,))):
        problems.append("sub/y values differ")
    if sorted(g.group_keys()) != ["sub"] or sorted(g.array_keys()) != ["x"]:
        problems.append(f"members {sorted(g.group_keys())} {sorted(g.array_keys())}")
    print("\n".join(problems) if problems else "group checked")
    return 1 if problems else 0


def write_group(root):
    g = zarr.open_group(root, mode="w")
    g.attrs.update({"title": "from python", "n": 2})
    x = g.create_dataset("x", shape=(7, 5), chunks=(3, 2), dtype="<f8")
    x[...] = expected("f8", (7, 5))
    x.attrs["units"] = "m/s"
    deeper = g.create_group("a").create_group("b")
    y = deeper.create_dataset("y", shape=(11,), chunks=(4,), dtype="<i2")
    y[...] = expected("i2", (11,))
    zarr.consolidate_metadata(root)
    print("written")
    return 0


ND_DTYPES = ("f8", "f4", "i4", "i2", "b1")
ND_SHAPES = {0: ((), ()), 3: ((7, 5, 4), (3, 2, 3)), 4: ((5, 4, 3, 2), (2, 3, 2, 1))}


def names_nd():
    for dtype in ND_DTYPES:
        for rank in ND_SHAPES:
            for case in ("F_raw", "C_raw", "C_zstd", "F_blosc-lz4-byte"):
                order, codec = case.split("_")
                yield dtype, rank, order, codec


def expected_nd(dtype, shape):
    values = np.zeros(shape, dtype=np.int64)
    for d, index in enumerate(np.indices(shape)):
        values = values + index * 10 ** d
    if dtype == "b1":
        return values % 3 == 0
    return (values + (0.5 if dtype.startswith("f") else 0)).astype(DTYPES[dtype])


def check_nd(root):
    count = 0
    for dtype, rank, order, codec in names_nd():
        path = os.path.join(root, f"nd_{dtype}_{rank}d_{order}_{codec}")
        a = zarr.open(path, mode="r")
        shape, chunks = ND_SHAPES[rank]
        if a.shape != shape or a.chunks != chunks or a.order != order or a.dtype != np.dtype(DTYPES[dtype]):
            print(f"{path}: shape {a.shape} chunks {a.chunks} order {a.order} dtype {a.dtype}")
            return 1
        if not np.array_equal(a[...], expected_nd(dtype, shape)):
            print(f"{path}: values differ")
            return 1
        count += 1
    print(f"checked {count} arrays")
    return 0


def write_nd(root):
    for dtype, rank, order, codec in names_nd():
        shape, chunks = ND_SHAPES[rank]
        a = zarr.open(os.path.join(root, f"nd_{dtype}_{rank}d_{order}_{codec}"), mode="w", shape=shape, chunks=chunks,
                      dtype=DTYPES[dtype], order=order, compressor=compressor(codec), write_empty_chunks=True)
        a[...] = expected_nd(dtype, shape)
    # "/" between chunk indices, and chunks never written (the fill value).
    store = zarr.DirectoryStore(os.path.join(root, "nd_slash"), dimension_separator="/")
    a = zarr.open(store, mode="w", shape=(7, 5, 4), chunks=(3, 2, 3), dtype="<f8", write_empty_chunks=True)
    a[...] = expected_nd("f8", (7, 5, 4))
    assert os.path.isfile(os.path.join(root, "nd_slash", "2", "1", "1"))
    a = zarr.open(os.path.join(root, "nd_fill"), mode="w", shape=(7, 5, 4), chunks=(3, 2, 3), dtype="<i4", fill_value=-1)
    a[3:6, 2:4, 0:3] = expected_nd("i4", (7, 5, 4))[3:6, 2:4, 0:3]
    print("written")
    return 0


if __name__ == "__main__":
    commands = {"check": check, "write": write, "write-special": write_special, "check-group": check_group,
                "write-group": write_group, "check-nd": check_nd, "write-nd": write_nd}
    sys.exit(commands[sys.argv[1]](sys.argv[2]))
