"""CPython side of jfutures' ProcessBench: concurrent.futures.ProcessPoolExecutor(max_workers=2).

Measures the same cases as dev.jfutures.bench.ProcessBench, with the method of
shared/anchors/py_futures_bench.py, and prints ONE JSON object on stdout (progress goes to stderr).

    python3 cpython_process_bench.py --submit 20000 --roundtrip 5000 --map 1000000 --chunk 1000 \
        --start-repeats 7 --cpu-tasks 8 --cpu-n 3000000 --heap-map 2000000 --repeats 3 --warmup 1

The pools use the "fork" start method (CPython 3.11's default on Linux); with --spawn, pool start
and idle worker memory are measured for "spawn" too (cases with the suffix _spawn).
Times are medians over --repeats rounds (after --warmup untimed rounds).
CPython's Executor.map is eager before 3.14: with chunksize it submits every chunk of the input
before yielding the first result.
"""
import argparse
import gc
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, wait


def ident(x):
    return x


def spin(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


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
    # nearest-rank, the same rule as ProcessBench
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


def map_chunked(ex, n, chunk):
    t = time.perf_counter_ns()
    s = 0
    for r in ex.map(ident, range(n), chunksize=chunk):
        s += r
    dt = time.perf_counter_ns() - t
    assert s == n * (n - 1) // 2
    return n / (dt / 1e9)


def start_to_first(ctx):
    """(ms from the constructor to the first result of a trivial task, fresh pool;
    ms of the shutdown(wait=True) that follows)."""
    t = time.perf_counter_ns()
    ex = ProcessPoolExecutor(max_workers=2, mp_context=ctx)
    r = ex.submit(ident, 1).result()
    dt = time.perf_counter_ns() - t
    assert r == 1
    t = time.perf_counter_ns()
    ex.shutdown(wait=True)
    return dt / 1e6, (time.perf_counter_ns() - t) / 1e6


def cpu_bound(ex, tasks, n):
    """ms to run `tasks` equal spin(n) tasks on a warm pool."""
    t = time.perf_counter_ns()
    fs = [ex.submit(spin, n) for _ in range(tasks)]
    wait(fs)
    dt = time.perf_counter_ns() - t
    expect = spin_value(n)
    for f in fs:
        assert f.result() == expect
    return dt / 1e6


_SPIN = {}


def spin_value(n):
    if n not in _SPIN:
        _SPIN[n] = sum(i * i for i in range(n))
    return _SPIN[n]


def proc_status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def worker_memory(ex):
    """(mean VmRSS MiB, mean Pss MiB) of the pool's idle workers."""
    pids = list(ex._processes.keys())  # no public API for the worker pids
    rss = [proc_status_kib(p, "VmRSS") for p in pids]
    pss = [pss_kib(p) for p in pids]
    rss = [x for x in rss if x is not None]
    pss = [x for x in pss if x is not None]
    return (statistics.mean(rss) / 1024 if rss else None,
            statistics.mean(pss) / 1024 if pss else None, len(pids))


def warm_both(ex):
    """Runs enough tasks that both workers exist (spawn starts them one at a time) and are warm."""
    for _ in range(20):
        list(ex.map(ident, range(200)))
        if len(ex._processes) >= 2:
            break
    list(ex.map(ident, range(2000)))
    time.sleep(0.2)


def measure(name, fn, warmup, repeats):
    for _ in range(warmup):
        fn()
        gc.collect()
    samples = []
    for _ in range(repeats):
        gc.collect()
        samples.append(fn())
    log(f"  cpython {name}: {[tuple(round(x, 2) for x in s) if isinstance(s, tuple) else round(s, 2) for s in samples]}")
    return samples


def case(samples, unit, n=None, **extra):
    d = {"n": n, "samples": samples, "median": statistics.median(samples), "unit": unit}
    d.update(extra)
    return d


def heap_probe(n, chunk):
    """Run in a fresh interpreter: map n inputs, report this parent's peak RSS."""
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        before = proc_status_kib(os.getpid(), "VmHWM")
        t = time.perf_counter_ns()
        s = 0
        for r in ex.map(ident, range(n), chunksize=chunk):
            s += r
        dt = time.perf_counter_ns() - t
        assert s == n * (n - 1) // 2
        peak = proc_status_kib(os.getpid(), "VmHWM")
    json.dump({"peak_rss_mib": peak / 1024, "peak_rss_before_mib": before / 1024,
               "items_per_s": n / (dt / 1e9)}, sys.stdout)
    sys.stdout.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--submit", type=int, default=20_000)
    ap.add_argument("--roundtrip", type=int, default=5_000)
    ap.add_argument("--map", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--start-repeats", type=int, default=7)
    ap.add_argument("--cpu-tasks", type=int, default=8)
    ap.add_argument("--cpu-n", type=int, default=3_000_000)
    ap.add_argument("--heap-map", type=int, default=2_000_000, help="0 skips the peak-RSS probe")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--spawn", action="store_true", help="also measure start and worker memory with spawn")
    ap.add_argument("--heap-probe", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.heap_probe:
        heap_probe(a.heap_probe, a.chunk)
        return

    fork = multiprocessing.get_context("fork")
    out = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executor": "concurrent.futures.ProcessPoolExecutor(max_workers=2)",
        "start_method": "fork",
        "default_start_method": multiprocessing.get_start_method(),
        "map_mode": "eager (Executor.map has no buffersize before 3.14)",
        "cpu_n": a.cpu_n,
        "cases": {},
    }
    cases = out["cases"]

    # Pool start first, while nothing else runs: fresh pools, both start methods.
    methods = [("", fork)] + ([("_spawn", multiprocessing.get_context("spawn"))] if a.spawn else [])
    for suffix, ctx in methods:
        s = measure("start_first_result" + suffix, lambda: start_to_first(ctx), 1, a.start_repeats)
        cases["start_first_result" + suffix] = case([x[0] for x in s], "ms")
        cases["shutdown_wait" + suffix] = case([x[1] for x in s], "ms")

    with ProcessPoolExecutor(max_workers=2, mp_context=fork) as ex:
        warm_both(ex)
        rss, pss, k = worker_memory(ex)
        log(f"  cpython worker_rss: {rss} MiB, pss {pss} MiB over {k} workers")
        cases["worker_rss"] = case([rss], "MiB", workers=k)
        cases["worker_pss"] = case([pss], "MiB", workers=k)

        rt = measure("roundtrip", lambda: roundtrip(ex, a.roundtrip), a.warmup, a.repeats)
        cases["roundtrip_p50"] = case([x[0] for x in rt], "us", a.roundtrip)
        cases["roundtrip_p99"] = case([x[1] for x in rt], "us", a.roundtrip)

        s = measure("submit_all", lambda: submit_all(ex, a.submit), a.warmup, a.repeats)
        cases["submit_all"] = case(s, "tasks/s", a.submit)

        m = measure("map", lambda: map_chunked(ex, a.map, a.chunk), a.warmup, a.repeats)
        cases["map"] = case(m, "items/s", a.map, chunksize=a.chunk)

    if a.spawn:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as ex:
            warm_both(ex)
            rss, pss, k = worker_memory(ex)
            log(f"  cpython worker_rss_spawn: {rss} MiB, pss {pss} MiB over {k} workers")
            cases["worker_rss_spawn"] = case([rss], "MiB", workers=k)
            cases["worker_pss_spawn"] = case([pss], "MiB", workers=k)

    # CPU-bound scaling: warm pools of 1 and 2 workers, rounds alternating which goes first.
    spin_value(a.cpu_n)
    one, two = [], []
    with ProcessPoolExecutor(max_workers=1, mp_context=fork) as ex1, \
            ProcessPoolExecutor(max_workers=2, mp_context=fork) as ex2:
        warm_both(ex2)
        ex1.submit(ident, 0).result()
        for r in range(a.warmup + a.repeats):
            order = [(ex1, one), (ex2, two)] if r % 2 == 0 else [(ex2, two), (ex1, one)]
            for ex, acc in order:
                gc.collect()
                ms = cpu_bound(ex, a.cpu_tasks, a.cpu_n)
                if r >= a.warmup:
                    acc.append(ms)
    log(f"  cpython cpu 1 worker: {[round(x) for x in one]} ms; 2 workers: {[round(x) for x in two]} ms")
    cases["cpu_1_worker"] = case(one, "ms", a.cpu_tasks)
    cases["cpu_2_workers"] = case(two, "ms", a.cpu_tasks)
    cases["cpu_speedup"] = {"n": None, "samples": [], "median": statistics.median(one) / statistics.median(two),
                            "unit": "x"}

    # The parent's peak RSS while mapping --heap-map inputs, in a fresh interpreter.
    if a.heap_map:
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--heap-probe", str(a.heap_map),
                            "--chunk", str(a.chunk)], capture_output=True, text=True, timeout=600)
        if p.returncode == 0:
            h = json.loads(p.stdout)
            log(f"  cpython heap probe: {h}")
            cases["heap_peak_rss"] = case([h["peak_rss_mib"]], "MiB", a.heap_map,
                                          items_per_s=h["items_per_s"])
        else:
            log(f"  cpython heap probe failed ({p.returncode}): {p.stderr[-500:]}")

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
