"""CPython side of jfutures' CoreBench: concurrent.futures.ThreadPoolExecutor(max_workers=2).

Measures the same cases as dev.jfutures.bench.CoreBench, with the method of
shared/anchors/py_futures_bench.py, and prints ONE JSON object on stdout (progress goes to stderr).

    python3 cpython_core_bench.py --submit 100000 --roundtrip 10000 --map 1000000 \
        --wait-small 10000 --wait-large 100000 --repeats 3 --map-repeats 3 --warmup 1

Times are medians over --repeats rounds (after --warmup untimed rounds).
CPython < 3.14 has no Executor.map(buffersize=...), so the map case is CPython's eager map:
it submits every input before yielding the first result.
"""
import argparse
import gc
import json
import platform
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, wait


def ident(x):
    return x


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def submit_all(ex, n):
    t = time.perf_counter_ns()
    fs = [ex.submit(ident, i) for i in range(n)]
    s = 0
    for f in fs:
        s += f.result()
    dt = time.perf_counter_ns() - t
    assert s == n * (n - 1) // 2
    return n / (dt / 1e9)


def percentile(sorted_ns, q):
    # nearest-rank, the same rule as CoreBench
    k = max(0, min(len(sorted_ns) - 1, int(-(-q * len(sorted_ns) // 100)) - 1))
    return sorted_ns[k]


def roundtrip(ex, n):
    lat = [0] * n
    clock = time.perf_counter_ns
    for i in range(n):
        t = clock()
        r = ex.submit(ident, i).result()
        lat[i] = clock() - t
        assert r == i
    lat.sort()
    return percentile(lat, 50) / 1e3, percentile(lat, 99) / 1e3


def map_eager(ex, n):
    t = time.perf_counter_ns()
    s = 0
    for r in ex.map(ident, range(n)):
        s += r
    dt = time.perf_counter_ns() - t
    assert s == n * (n - 1) // 2
    return n / (dt / 1e9)


def gated(ex, n):
    gate = threading.Event()

    def task(x):
        gate.wait()
        return x

    return gate, [ex.submit(task, i) for i in range(n)]


# The clocks start right before the gate opens (opening it wakes the workers, which may take the
# CPU from the caller at once). Returns (wall ms, process CPU ms).
def wait_case(ex, n):
    gate, fs = gated(ex, n)
    c = time.process_time_ns()
    t = time.perf_counter_ns()
    gate.set()
    done, not_done = wait(fs)
    dt = time.perf_counter_ns() - t
    dc = time.process_time_ns() - c
    assert len(done) == n and not not_done
    return dt / 1e6, dc / 1e6


def as_completed_case(ex, n):
    gate, fs = gated(ex, n)
    s = 0
    c = time.process_time_ns()
    t = time.perf_counter_ns()
    gate.set()
    for f in as_completed(fs):
        s += f.result()
    dt = time.perf_counter_ns() - t
    dc = time.process_time_ns() - c
    assert s == n * (n - 1) // 2
    return dt / 1e6, dc / 1e6


def measure(name, fn, warmup, repeats):
    for _ in range(warmup):
        fn()
        gc.collect()
    samples = []
    for _ in range(repeats):
        gc.collect()
        samples.append(fn())
    log(f"  cpython {name}: {samples}")
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--submit", type=int, default=100_000)
    ap.add_argument("--roundtrip", type=int, default=10_000)
    ap.add_argument("--map", type=int, default=1_000_000)
    ap.add_argument("--wait-small", type=int, default=10_000)
    ap.add_argument("--wait-large", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--map-repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()

    out = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executor": "concurrent.futures.ThreadPoolExecutor(max_workers=2)",
        "map_mode": "eager (Executor.map has no buffersize before 3.14)",
        "cases": {},
    }
    cases = out["cases"]
    with ThreadPoolExecutor(max_workers=2) as ex:
        s = measure("submit_all", lambda: submit_all(ex, a.submit), a.warmup, a.repeats)
        cases["submit_all"] = {"n": a.submit, "samples": s, "median": statistics.median(s),
                               "unit": "tasks/s"}

        rt = measure("roundtrip", lambda: roundtrip(ex, a.roundtrip), a.warmup, a.repeats)
        cases["roundtrip_p50"] = {"n": a.roundtrip, "samples": [x[0] for x in rt],
                                  "median": statistics.median(x[0] for x in rt), "unit": "us"}
        cases["roundtrip_p99"] = {"n": a.roundtrip, "samples": [x[1] for x in rt],
                                  "median": statistics.median(x[1] for x in rt), "unit": "us"}

        for name, fn in (("wait", wait_case), ("as_completed", as_completed_case)):
            for size_name, n in (("small", a.wait_small), ("large", a.wait_large)):
                w = measure(f"{name}_{size_name}", lambda: fn(ex, n), a.warmup, a.repeats)
                wall = [x[0] for x in w]
                cpu = [x[1] for x in w]
                cases[f"{name}_{size_name}"] = {"n": n, "samples": wall, "median": statistics.median(wall),
                                                "unit": "ms"}
                cases[f"{name}_{size_name}_cpu"] = {"n": n, "samples": cpu, "median": statistics.median(cpu),
                                                    "unit": "ms"}

        # Last: the eager map holds every future of the input at once (about 1.8 GB for 1M).
        m = measure("map", lambda: map_eager(ex, a.map), 0, a.map_repeats)
        cases["map"] = {"n": a.map, "samples": m, "median": statistics.median(m), "unit": "items/s",
                        "buffer": None}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
