"""Benchmark of ``objcheck batch`` (``./dev bench``; see README «Скорость»).

    ./dev bench                          200 synthetic + 200 real-sized schools, 5 repetitions
    ./dev bench --count 500 --reps 7
    ./dev bench --corpus real            only the real-sized corpus
    ./dev bench --count 40000 --parallel-only   the full-size run (2 workers, no cache, once)

The machine it runs on is usually shared, so one wall-clock run per figure says little.
Every measurement runs in a fresh process; the modes are interleaved (floor, objcheck's
loader, 1 worker, 2 workers, then again) N times, and each is reported as min / median /
max. CPU time is reported beside wall time (it does not depend on the other processes as
much), and so is the load average before and after. The targets are ratios:

* the floors: ruamel.yaml's C loader as shipped (``YAML(typ="safe", pure=False)``) and
  objcheck's own loader on the same C parser (``checker.io.yamlio.load_fast``), read +
  parse of every file, CPU ms per file, with the collector tuned as in a worker;
* the cost of a school: the workers' CPU while checking (read, parse, validate, evaluate,
  summarise), per school, with 1 worker — and its ratio to each floor (target ≤ 1.5× of
  objcheck's loader), as the ratio of the medians and paired by repetition (each round's
  worker over the same round's floor: steadier when the machine's speed drifts);
* the whole batch (start-up, checking, writing CSV/XLSX/JSON), wall time per school, with 1
  and 2 workers.

Two corpora: «synthetic» (profiles sized like a large school, ~39 KiB) and «real» (the bundled
fixtures, 0.5–9 KiB, among them a fully itemised school with the people register, copied
round-robin up to the count).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("floor: ruamel as shipped", "floor: objcheck loader", "1 worker", "2 workers")


def measure(args: argparse.Namespace) -> None:
    """One batch run in this process; prints a JSON line."""
    import datetime as dt

    from checker.batch.export import BatchStream, write_all
    from checker.batch.run import BatchOptions, run_batch

    options = BatchOptions(
        as_of=dt.date(2024, 5, 1),
        cache_dir=None if args.cache == "none" else Path(args.cache),
    )
    cpu_started = time.process_time()
    started = time.perf_counter()
    # as the CLI does: the rows that need not wait are written while schools are checked
    stream = BatchStream(Path(args.out))
    result = run_batch([args.files], options, workers=args.workers, sink=stream)
    checked = time.perf_counter()
    checked_cpu = time.process_time()
    write_all(result, Path(args.out), stream=stream)
    done = time.perf_counter()
    t = result.timings
    print(json.dumps({
        "schools": len(result.schools), "errors": len(result.errors),
        "wall": done - started, "check_wall": checked - started, "export": done - checked,
        "main_cpu": time.process_time() - cpu_started, "worker_cpu": t.cpu,
        "check_main_cpu": checked_cpu - cpu_started,
        "export_cpu": time.process_time() - checked_cpu,
        "read": t.read, "parse": t.parse, "evaluate": t.evaluate, "write": t.write,
        "parsed": t.parsed, "result_hits": t.result_hits,
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_workers_mb": t.worker_rss_kb / 1024,
    }))


def floor(args: argparse.Namespace) -> None:
    """A floor: read + parse of every file, ruamel's loader as shipped or objcheck's.

    The parse runs with the collector tuned as in a worker (``tune_gc``): with the default
    thresholds the same parse costs ~25 % more CPU, and a floor that pays for collections
    the workers do not pay would flatter the ratio to it.
    """
    from checker.batch.run import tune_gc
    from checker.io.yamlio import load_fast

    files = sorted(Path(args.files).rglob("*.yaml"))
    if args.loader == "shipped":
        from ruamel.yaml import YAML

        shipped = YAML(typ="safe", pure=False)

        def parse(path: Path) -> object:
            return shipped.load(path.read_text(encoding="utf-8"))
    else:

        def parse(path: Path) -> object:
            return load_fast(path.read_text(encoding="utf-8"), str(path))

    tune_gc()
    cpu_started = time.process_time()
    started = time.perf_counter()
    for path in files:
        parse(path)
    print(json.dumps({"files": len(files), "wall": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu_started}))


def _run(*argv: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *argv], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _synthetic(directory: Path, count: int) -> None:
    from checker.testing.synthetic import write_profiles

    write_profiles(directory, count, seed=2024)


def _real_sized(directory: Path, count: int) -> None:
    """The bundled fixtures, copied round-robin (each copy its own file) up to ``count``."""
    sources = sorted((ROOT / "fixtures").rglob("*.yaml"))
    directory.mkdir(parents=True)
    for index in range(count):
        source = sources[index % len(sources)]
        shutil.copyfile(source, directory / f"{index:06d}-{source.name}")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _spread(values: list[float]) -> str:
    """min / median / max, in milliseconds."""
    return (f"{min(values) * 1000:7.2f} {statistics.median(values) * 1000:7.2f} "
            f"{max(values) * 1000:7.2f}")


def _one_round(files: Path, out: Path) -> dict[str, dict[str, Any]]:
    """Every mode once, in the order of ``MODES``."""
    return {
        MODES[0]: _run("floor", "--files", str(files), "--loader", "shipped"),
        MODES[1]: _run("floor", "--files", str(files), "--loader", "objcheck"),
        MODES[2]: _run("measure", "--files", str(files), "--workers", "1", "--out",
                       str(out / "o1")),
        MODES[3]: _run("measure", "--files", str(files), "--workers", "2", "--out",
                       str(out / "o2")),
    }


def bench_corpus(name: str, files: Path, out: Path, reps: int) -> None:
    count = sum(1 for _ in files.rglob("*.yaml"))
    size = sum(p.stat().st_size for p in files.rglob("*.yaml")) / count
    print(f"\n== corpus «{name}»: {count} profiles, mean {size / 1024:.1f} KiB; "
          f"{reps} interleaved repetitions; load average before {_load()}")
    rounds = [_one_round(files, out) for _ in range(reps)]
    print(f"   load average after {_load()}")
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    for mode in MODES:
        runs = [r[mode] for r in rounds]
        if mode.startswith("floor"):
            cpu[mode] = [r["cpu"] / r["files"] for r in runs]
            wall[mode] = [r["wall"] / r["files"] for r in runs]
        else:
            cpu[mode] = [r["worker_cpu"] / r["schools"] for r in runs]
            wall[mode] = [r["wall"] / r["schools"] for r in runs]
    print("   ms per school (per file for the floors)   CPU min  median     max"
          "  |  wall min  median     max")
    for mode in MODES:
        label = mode if mode.startswith("floor") else f"{mode} (CPU: checking, workers)"
        print(f"   {label:40} {_spread(cpu[mode])}  |  {_spread(wall[mode])}")
    one = statistics.median(cpu["1 worker"])
    for floor_mode in MODES[:2]:
        base = statistics.median(cpu[floor_mode])
        # Paired: the floor and the worker of one repetition run a few seconds apart, so a
        # machine that slows down for a while moves both (seen here: objcheck's loader
        # 14.5 → 22.9 ms a file within half an hour, the machine idle otherwise).
        paired = [w / f for w, f in zip(cpu["1 worker"], cpu[floor_mode], strict=True)]
        print(f"   1 worker, CPU per school / {floor_mode[7:]}: {one * 1000:.2f} / "
              f"{base * 1000:.2f} ms = {one / base:.2f}x; paired by repetition "
              f"{min(paired):.2f}x {statistics.median(paired):.2f}x {max(paired):.2f}x "
              f"(min median max)")
    first = rounds[0]["1 worker"]
    work = first["read"] + first["parse"] + first["evaluate"] + first["write"]
    print(f"   share of checking time, 1 worker: read {first['read'] / work:.0%}, "
          f"parse+validate {first['parse'] / work:.0%}, evaluate {first['evaluate'] / work:.0%},"
          f" summarise/write {first['write'] / work:.0%}")
    speedup = statistics.median(wall["1 worker"]) / statistics.median(wall["2 workers"])
    print(f"   whole batch, wall: 2 workers / 1 worker = {speedup:.2f}x faster "
          f"(depends on the other load of the machine)")
    for mode in MODES[2:]:
        tails = [r[mode]["export"] / r[mode]["schools"] for r in rounds]
        tail_cpu = [r[mode]["export_cpu"] / r[mode]["schools"] for r in rounds]
        during = [r[mode]["check_main_cpu"] / r[mode]["schools"] for r in rounds]
        print(f"   {mode}: the tail after the last school (writing the files), ms per school: "
              f"CPU {_spread(tail_cpu)}  |  wall {_spread(tails)}; coordinator CPU while "
              f"checking {_spread(during)}")
    errors = {r[mode]["errors"] for r in rounds for mode in MODES[2:]}
    mem = max(r["2 workers"]["rss_workers_mb"] for r in rounds)
    main = max(r["2 workers"]["rss_main_mb"] for r in rounds)
    print(f"   peak memory: worker {mem:.0f} MiB, coordinator {main:.0f} MiB; error rows: "
          f"{sorted(errors)}")
    per_school = statistics.median(wall["2 workers"])
    print(f"   40,000 such schools: {40000 * per_school / 60:.1f} min at the median 2-worker "
          f"wall rate of this run (start-up included); {40000 * one / 2 / 60:.1f} min of "
          f"checking CPU spread over 2 idle cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode")
    m = sub.add_parser("measure")
    m.add_argument("--files", required=True)
    m.add_argument("--workers", type=int, default=1)
    m.add_argument("--cache", default="none")
    m.add_argument("--out", required=True)
    f = sub.add_parser("floor")
    f.add_argument("--files", required=True)
    f.add_argument("--loader", choices=("shipped", "objcheck"), required=True)
    parser.add_argument("--count", type=int, default=200, help="schools per corpus")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions")
    parser.add_argument("--corpus", choices=("both", "synthetic", "real"), default="both")
    parser.add_argument("--cache", action="store_true",
                        help="also measure a cold and a warm cache (2 workers, synthetic)")
    parser.add_argument("--parallel-only", action="store_true",
                        help="only one 2-worker run without cache (the full-size run)")
    args = parser.parse_args()
    if args.mode == "measure":
        measure(args)
        return
    if args.mode == "floor":
        floor(args)
        return

    print(f"objcheck batch benchmark — {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, load average {_load()}")
    with tempfile.TemporaryDirectory(prefix="objcheck-bench-") as tmp:
        base = Path(tmp)
        synthetic = base / "synthetic"
        if args.corpus != "real" or args.parallel_only:
            _synthetic(synthetic, args.count)
        if args.parallel_only:  # no floor either: 40,000 files would take it many minutes
            r = _run("measure", "--files", str(synthetic), "--workers", "2",
                     "--out", str(base / "o2"))
            print(f"2 workers, no cache: {r['schools']} schools, {r['errors']} errors, "
                  f"{r['wall'] / 60:.1f} min (check {r['check_wall']:.0f} s, files "
                  f"{r['export']:.0f} s), worker CPU {r['worker_cpu'] / r['schools'] * 1000:.1f}"
                  f" ms/school, main {r['rss_main_mb']:.0f} MiB, worker "
                  f"{r['rss_workers_mb']:.0f} MiB; load average after {_load()}")
            return
        if args.corpus != "real":
            bench_corpus("synthetic", synthetic, base, args.reps)
        if args.corpus != "synthetic":
            real = base / "real"
            _real_sized(real, args.count)
            bench_corpus("real-sized", real, base, args.reps)
        if args.cache:
            cache = base / "cache"
            cold = _run("measure", "--files", str(synthetic), "--workers", "2", "--cache",
                        str(cache), "--out", str(base / "oc"))
            warm = _run("measure", "--files", str(synthetic), "--workers", "2", "--cache",
                        str(cache), "--out", str(base / "ow"))
            print(f"\nwarm cache / cold (2 workers, synthetic, one run each): "
                  f"{cold['wall'] / warm['wall']:.1f}x faster ({warm['result_hits']} result "
                  f"hits, {warm['parsed']} parsed)")


if __name__ == "__main__":
    main()
