"""Benchmark of ``objcheck batch`` on synthetic schools (``./dev bench``; see README).

    ./dev bench                       2,000 schools (default)
    ./dev bench --count 5000 --flat 1000,2500,5000
    ./dev bench --count 40000 --parallel-only   the full-size run (2 workers, no cache)

Every measurement runs in a fresh process so its peak memory (``ru_maxrss``) is its own.
Reports: schools/s with 1 and 2 workers; the share of worker time spent parsing YAML,
evaluating and writing; peak memory of the coordinator and of a worker at several batch
sizes; the re-run rate with a warm cache; and, as the floor, the C-backed YAML loader
alone on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(args: argparse.Namespace) -> None:
    """One batch run in this process; prints a JSON line."""
    import datetime as dt

    from checker.batch.export import write_all
    from checker.batch.run import BatchOptions, run_batch

    options = BatchOptions(
        as_of=dt.date(2024, 5, 1),
        cache_dir=None if args.cache == "none" else Path(args.cache),
    )
    started = time.perf_counter()
    result = run_batch([args.files], options, workers=args.workers)
    checked = time.perf_counter()
    write_all(result, Path(args.out))
    done = time.perf_counter()
    t = result.timings
    print(json.dumps({
        "schools": len(result.schools), "errors": len(result.errors),
        "wall": done - started, "check_wall": checked - started, "export": done - checked,
        "read": t.read, "parse": t.parse, "evaluate": t.evaluate, "write": t.write,
        "parsed": t.parsed, "result_hits": t.result_hits,
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_workers_mb": t.worker_rss_kb / 1024,
    }))


def floor(args: argparse.Namespace) -> None:
    """The floor: ruamel.yaml's C-backed safe loader exactly as shipped (read + parse), one
    process. objcheck's own loader (checker.io.yamlio: a caching resolver and a leaner
    constructor on the same C parser) is timed too, for information only."""
    from ruamel.yaml import YAML

    from checker.io.yamlio import load_fast

    files = sorted(Path(args.files).rglob("*.yaml"))
    shipped = YAML(typ="safe", pure=False)
    started = time.perf_counter()
    for path in files:
        shipped.load(path.read_text(encoding="utf-8"))
    wall = time.perf_counter() - started
    started = time.perf_counter()
    for path in files:
        load_fast(path.read_text(encoding="utf-8"), str(path))
    ours = time.perf_counter() - started
    print(json.dumps({"files": len(files), "wall": wall, "ours": ours}))


def _run(*argv: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *argv], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _generate(directory: Path, count: int) -> float:
    from checker.testing.synthetic import write_profiles

    started = time.perf_counter()
    write_profiles(directory, count, seed=2024)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="mode")
    m = sub.add_parser("measure")
    m.add_argument("--files", required=True)
    m.add_argument("--workers", type=int, default=1)
    m.add_argument("--cache", default="none")
    m.add_argument("--out", required=True)
    f = sub.add_parser("floor")
    f.add_argument("--files", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--flat", default="", help="sizes for the memory check, e.g. 500,1000")
    parser.add_argument("--skip-one", action="store_true", help="skip the 1-worker run")
    parser.add_argument("--parallel-only", action="store_true",
                        help="only the 2-worker run without cache (the full-size run)")
    args = parser.parse_args()
    if args.mode == "measure":
        measure(args)
        return
    if args.mode == "floor":
        floor(args)
        return

    print(f"objcheck batch benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="objcheck-bench-") as tmp:
        base = Path(tmp)
        files = base / "schools"
        gen = _generate(files, args.count)
        size = sum(p.stat().st_size for p in files.rglob("*.yaml")) / args.count
        print(f"generated {args.count} profiles in {gen:.1f} s (mean {size / 1024:.0f} KiB)")

        if args.parallel_only:  # no floor either: 40,000 files would take it 16 min
            r = _run("measure", "--files", str(files), "--workers", "2", "--out", str(base / "o2"))
            print(f"\n2 workers, no cache: {r['schools']} schools, {r['errors']} errors, "
                  f"{r['wall'] / 60:.1f} min (check {r['check_wall']:.0f} s, files "
                  f"{r['export']:.0f} s), {r['schools'] / r['wall']:.1f} schools/s, "
                  f"main {r['rss_main_mb']:.0f} MiB, worker {r['rss_workers_mb']:.0f} MiB")
            return
        bare = _run("floor", "--files", str(files))
        per_parse = bare["wall"] / bare["files"] * 1000
        print(f"\nfloor: ruamel.yaml C-backed safe loader as shipped "
              f"(YAML(typ='safe', pure=False)), read + parse: {per_parse:.2f} ms/file "
              f"({bare['files'] / bare['wall']:.0f} files/s, 1 process)")
        print(f"       objcheck's loader on the same C parser (checker.io.yamlio.load_fast): "
              f"{bare['ours'] / bare['files'] * 1000:.2f} ms/file")

        runs: dict[str, dict[str, Any]] = {}
        if not args.skip_one:
            runs["1 worker"] = _run("measure", "--files", str(files), "--workers", "1",
                                    "--out", str(base / "o1"))
        runs["2 workers"] = _run("measure", "--files", str(files), "--workers", "2",
                                 "--out", str(base / "o2"))
        cache = base / "cache"
        runs["2 workers, cold cache"] = _run("measure", "--files", str(files), "--workers", "2",
                                             "--cache", str(cache), "--out", str(base / "oc"))
        runs["2 workers, warm cache"] = _run("measure", "--files", str(files), "--workers", "2",
                                             "--cache", str(cache), "--out", str(base / "ow"))
        print("\nrun                      schools/s   wall s  ms/school  main MiB  worker MiB")
        for name, r in runs.items():
            print(f"{name:24} {r['schools'] / r['wall']:9.1f} {r['wall']:8.1f} "
                  f"{r['wall'] / r['schools'] * 1000:10.2f} {r['rss_main_mb']:9.0f} "
                  f"{r['rss_workers_mb']:11.0f}")

        if "1 worker" in runs:
            one = runs["1 worker"]
            work = one["read"] + one["parse"] + one["evaluate"] + one["write"] + one["export"]
            print("\nshare of time, 1 worker: "
                  f"read {one['read'] / work:.0%}, parse+validate YAML {one['parse'] / work:.0%}, "
                  f"evaluate {one['evaluate'] / work:.0%}, "
                  f"write (cache/reports + CSV/XLSX/JSON) "
                  f"{(one['write'] + one['export']) / work:.0%}")
            per_school = one["wall"] / one["schools"] * 1000
            print(f"per-school cost / bare parse: {per_school:.2f} / {per_parse:.2f} ms = "
                  f"{per_school / per_parse:.2f}x (target <= 1.5x)")
            speedup = runs["2 workers"]["schools"] / runs["2 workers"]["wall"] / (
                one["schools"] / one["wall"])
            print(f"2 workers / 1 worker: {speedup:.2f}x (target >= 1.8x)")
        cold, warm = runs["2 workers, cold cache"], runs["2 workers, warm cache"]
        print(f"warm cache / cold: {cold['wall'] / warm['wall']:.1f}x faster "
              f"(target >= 5x; {warm['result_hits']} result hits, {warm['parsed']} parsed)")
        rate = runs["2 workers"]["schools"] / runs["2 workers"]["wall"]
        print(f"40,000 schools at {rate:.0f} schools/s (2 workers): "
              f"{40000 / rate / 60:.1f} min (target < 5 min)")

        if args.flat:
            print("\nmemory vs batch size (2 workers, no cache):")
            print("schools  main MiB  worker MiB")
            for count in (int(c) for c in args.flat.split(",")):
                subset = base / f"flat{count}"
                _generate(subset, count)
                r = _run("measure", "--files", str(subset), "--workers", "2",
                         "--out", str(base / f"of{count}"))
                print(f"{count:7}  {r['rss_main_mb']:8.0f}  {r['rss_workers_mb']:10.0f}")


if __name__ == "__main__":
    main()
