"""Dask distributed's side of ClusterBench: a LocalCluster of 2 worker processes x 2 threads on
127.0.0.1, the same measurements as the Java side. Prints one JSON object:
{"dask": version, "rounds": [{"rt_us": p50 round trip of one tiny task in microseconds,
"submit_per_s": BURST tiny tasks submitted, then waited for}, ...]} (the first round is warm-up).
Usage: python3 dask_cluster_bench.py ROUNDS RT_N BURST"""
import json
import logging
import sys
import time

import distributed
from distributed import Client, LocalCluster, wait


def same(x):
    return x


def main():
    rounds, rt_n, burst = (int(a) for a in sys.argv[1:4])
    logging.getLogger("distributed").setLevel(logging.ERROR)
    out = []
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None,
                      host="127.0.0.1", silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        for i in range(200):
            client.submit(same, i, pure=False).result()
        for _ in range(rounds + 1):
            times = []
            for i in range(rt_n):
                s = time.perf_counter_ns()
                client.submit(same, i, pure=False).result()
                times.append(time.perf_counter_ns() - s)
            times.sort()
            s = time.perf_counter()
            fs = [client.submit(same, i, pure=False) for i in range(burst)]
            wait(fs)
            rate = burst / (time.perf_counter() - s)
            out.append({"rt_us": times[len(times) // 2] / 1e3, "submit_per_s": rate})
    print(json.dumps({"dask": distributed.__version__, "rounds": out}))


if __name__ == "__main__":
    main()
