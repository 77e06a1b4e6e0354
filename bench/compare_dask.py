"""The dask.array side of bench/compare_dask.sh, and the table it prints.

    compare_dask.py WORKLOAD N BLOCK REPS   time one workload, as
                                            compare_dask_dagger does
    compare_dask.py table FILE              medians of "SIDE CASE SECONDS"
                                            lines, as a table
    compare_dask.py prepare-zarr DIR N BLOCK  the zarr workload's input

Timing matches the dagger side: inputs a case keeps in memory are persisted
before the clock starts; the clock stops once the result is computed (a
scalar by .compute(), an array's chunks by .persist()), before anything is
freed. dask runs on its threaded scheduler with 2 workers; each worker's
numpy calls OpenBLAS on one thread (as dagger holds OpenBLAS to one thread
per block), unless OPENBLAS_NUM_THREADS says otherwise.
"""

import os
import statistics
import sys
import time

# Before numpy loads OpenBLAS: 2 workers times 2 BLAS threads would
# oversubscribe 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

WORKERS = 2


def value_of(result):
    """A scalar itself; an array (numpy, or dask persisted) its first element."""
    if hasattr(result, "dask"):
        return float(result[(0,) * result.ndim].compute())
    if getattr(result, "ndim", 0) == 0:
        return float(result)
    return float(result.flat[0])


def timed(label, reps, run):
    """Times run(rep), which returns a computed scalar or array; reading the
    value to print and freeing the result happen after the clock stops."""
    for rep in range(reps):
        start = time.perf_counter()
        result = run(rep)
        seconds = time.perf_counter() - start
        value = value_of(result)
        print(f"{label} {seconds:.6f}\n# {label} {value:.6g}", flush=True)
        del result


def run_workload(workload, n, block, reps):
    import dask
    import dask.array as da
    import numpy as np

    dask.config.set(scheduler="threads", num_workers=WORKERS)
    size = f"@{n}"

    def rand(seed):
        return da.random.RandomState(seed).random_sample((n, n), chunks=block)

    if workload == "seed":
        timed("sum(randn.^2)" + size, reps, lambda r: (
            da.random.RandomState(1 + r).standard_normal((n, n), chunks=block) ** 2).sum().compute())
    elif workload == "apat_gen":
        def apat(r):
            a = rand(10 + r)
            return (a + a.T).sum().compute()
        timed("sum(A+A')_generated" + size, reps, apat)
    elif workload == "apat_mem":
        a = rand(10).persist()
        timed("sum(A+A')_in_memory" + size, reps, lambda r: (a + a.T).sum().compute())
    elif workload == "matmul":
        a = rand(20).persist()
        timed("sum(a*a)_matmul" + size, reps, lambda r: (a @ a).sum().compute())
    elif workload == "sort":
        # numpy.sort is one thread; dask.array has no distributed sort.
        v = np.random.RandomState(30).random_sample(n)
        timed("sort" + size, reps, lambda r: np.sort(v))
    elif workload == "arrays":
        # Dagger.jl's array benchmark cases.
        timed("rand" + size, reps, lambda r: rand(40 + r).persist())
        x = rand(50).persist()
        timed("X.+1" + size, reps, lambda r: (x + 1).persist())
        timed("X+X" + size, reps, lambda r: (x + x).persist())
        timed("sin.(X)" + size, reps, lambda r: da.sin(x).persist())
        timed("sum(X)" + size, reps, lambda r: x.sum().compute())
        timed("norm(X)" + size, reps, lambda r: da.linalg.norm(x).compute())
    elif workload == "zarr":
        # As compare_dask_dagger: the array prepare_zarr wrote, load + sum,
        # and load + save with Python zarr's default compressor.
        import numcodecs
        source = os.environ["COMPARE_DASK_ZARR"]
        copy = source + "_copy_dask"
        timed("zarr_load+sum" + size, reps, lambda r: da.from_zarr(source).sum().compute())

        def copy_blosc(r):
            da.from_zarr(source).to_zarr(copy, overwrite=True, compressor=numcodecs.Blosc())
            return 0.0
        timed("zarr_copy_blosc" + size, reps, copy_blosc)
        import shutil
        shutil.rmtree(copy, ignore_errors=True)
    else:
        sys.exit(f"unknown workload {workload}")


def prepare_zarr(path, n, block):
    """An n x n array of normal draws as Python's zarr writes it by default
    (Blosc lz4, byte shuffle, C order), chunks block x block."""
    import dask
    import dask.array as da
    dask.config.set(scheduler="threads", num_workers=WORKERS)
    if os.path.exists(os.path.join(path, ".zarray")):
        return
    da.random.RandomState(60).standard_normal((n, n), chunks=block).to_zarr(path, overwrite=True)


def print_table(path):
    """Medians per case and side, in the order the cases first appear."""
    samples = {}
    for line in open(path):
        fields = line.split()
        if len(fields) != 3 or line.startswith("#"):
            continue
        side, case, seconds = fields
        samples.setdefault(case, {"dagger": [], "dask": []})[side].append(float(seconds))
    width = max([len("workload")] + [len(c) for c in samples])
    print(f"{'workload':<{width}}  {'dagger s':>9}  {'dask s':>9}  {'dask/dagger':>11}  runs")
    for case, sides in samples.items():
        dagger_s = statistics.median(sides["dagger"]) if sides["dagger"] else float("nan")
        dask_s = statistics.median(sides["dask"]) if sides["dask"] else float("nan")
        ratio = dask_s / dagger_s if dagger_s > 0 else float("nan")
        runs = f"{len(sides['dagger'])}/{len(sides['dask'])}"
        print(f"{case:<{width}}  {dagger_s:>9.4f}  {dask_s:>9.4f}  {ratio:>11.2f}  {runs}")


def main(argv):
    if len(argv) == 3 and argv[1] == "table":
        print_table(argv[2])
    elif len(argv) == 5 and argv[1] == "prepare-zarr":
        prepare_zarr(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 5:
        run_workload(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
