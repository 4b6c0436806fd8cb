"""Profile the engine on the benchmark workload, to see what limits it.

Run from the repository root::

    python tools/profile_engine.py --size 1000            # cProfile of decide
    python tools/profile_engine.py --size 1000 --calls-from 10
    python tools/profile_engine.py --batch                # batch with and without GC

``--calls-from N`` decides the requests built for an N-statement policy, whose
callers are the first N - 1 users, against the ``--size`` policy. Times are the
best of 7 runs after a warm-up run, in microseconds per decision.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmark

from kmspolicy.engine import Engine


def best_microseconds(run, count: int, runs: int = 7) -> float:
    """Return the fastest of ``runs`` calls of ``run``, in µs per decision."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1e6 / count


def engine_for(size: int) -> Engine:
    engine = Engine()
    policy = benchmark.parse_key_policy(benchmark.key_policy_document(size))
    engine.add_key(benchmark.KEY_ARN, policy)
    return engine


def profile_decide(size: int, calls_from: int, count: int) -> None:
    engine = engine_for(size)
    requests = [call.request for call in benchmark.make_calls(calls_from, count)]

    def run():
        for request in requests:
            engine.decide(request)

    run()
    print(f"decide: {best_microseconds(run, count):.2f} µs per decision")
    profiler = cProfile.Profile()
    profiler.runcall(run)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(10)


def time_batch(count: int) -> None:
    engine = engine_for(100)
    requests = [call.request for call in benchmark.make_calls(100, count)]

    def single():
        for request in requests:
            engine.decide(request)

    def batch():
        engine.decide_batch(requests)

    single()
    batch()
    print(f"single calls: {best_microseconds(single, count, 3):.2f} µs")
    print(f"decide_batch: {best_microseconds(batch, count, 3):.2f} µs")
    gc.disable()
    try:
        print(f"decide_batch, GC off: {best_microseconds(batch, count, 3):.2f} µs")
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10, help="policy statements")
    parser.add_argument(
        "--calls-from", type=int, help="build requests for this policy size"
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests decided")
    parser.add_argument("--batch", action="store_true", help="time decide_batch")
    parser.add_argument(
        "--batch-size", type=int, default=100_000, help="requests in the batch run"
    )
    arguments = parser.parse_args()

    if arguments.batch:
        time_batch(arguments.batch_size)
        return
    calls_from = arguments.calls_from or arguments.size
    profile_decide(arguments.size, calls_from, arguments.requests)


if __name__ == "__main__":
    main()
