"""The peer of `bench_distributed N startup`: a new Python process that
starts Dask's LocalCluster with 2 worker processes (one thread each), runs
one task on it and closes it. Prints the seconds from the process's start
(imports included, as dagger's figure includes dagger::init) to the close.
Needs python3-distributed (apt-get install python3-distributed).
Usage: python3 bench/dask_cold_start.py"""
import time

START = time.perf_counter()

from dask.distributed import Client, LocalCluster  # noqa: E402  (timed on purpose)

if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    assert client.submit(lambda v: v + 1, 1).result() == 2
    client.close()
    cluster.close()
    print(f"{time.perf_counter() - START:.6f}")
