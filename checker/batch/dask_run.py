"""``objcheck batch --executor dask``: the same batch on the workers of a dask cluster.

The client (the machine that runs ``objcheck batch``) reads the files and sends their
contents in chunks (per-task overhead is ~6.6 ms for one file and ~0.34 ms per file at 50,
so chunks of 50–200 files); a worker checks a chunk with the rule book it loaded once and
returns the same compact rows as a local worker. Before checking, each task verifies that
the worker runs the same objcheck version and the same rules (their fingerprint) as the
client. The client collects rows in completion order but everything is sorted before it is
written (``run_batch``), so the outputs are byte-identical to a local run.

A worker process that dies (``kill -9``, out of memory) makes dask retry its chunk on
another worker; a chunk that keeps killing workers is retried one file per task, and the
file that still kills them becomes an error row; every other file is checked.

dask is an optional extra (``pip install 'objcheck[dask]'``): it is imported here only.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checker.batch.run import (
    CRASH_MESSAGE,
    ErrorRow,
    FileResult,
    Item,
    Timings,
    _InitArgs,
    _kill_hook,
    _Worker,
    build_worker,
    check_content,
    check_each,
)
from checker.io.cache import rules_fingerprint
from checker.io.files import UnreadableFileError, read_regular
from checker.io.yamlio import Limits

DEFAULT_CHUNK = 100


@dataclass(frozen=True)
class DaskOptions:
    scheduler: str | None = None  # None: a LocalCluster on this machine
    chunk: int = DEFAULT_CHUNK
    connect_timeout: float = 10.0  # seconds to wait for the scheduler


class DaskError(RuntimeError):
    """dask is missing, the scheduler does not answer, or a worker differs; in Russian."""


class WorkerMismatchError(RuntimeError):
    """Raised on a worker whose objcheck or rules differ from the client's."""


def objcheck_version() -> str:
    try:
        return importlib.metadata.version("objcheck")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "unknown"


# --- on a worker ------------------------------------------------------------------------

_LOCK = threading.Lock()  # the engine is not thread-safe; a worker may run several threads
_WORKERS: dict[str, _Worker] = {}
_FINGERPRINTS: dict[str, str] = {}  # rules folder → its fingerprint, once per process


def _worker_for(initargs: _InitArgs) -> _Worker:
    key = repr(initargs)
    worker = _WORKERS.get(key)
    if worker is None:
        _WORKERS.clear()  # one rule book per process at a time
        worker = _WORKERS[key] = build_worker(*initargs)
    return worker


def dask_check_chunk(chunk: Sequence[tuple[str, str, bytes]], initargs: _InitArgs,
                     version: str, rules_key: str) -> tuple[list[FileResult], Timings]:
    """A dask task: verify this worker matches the client, then check the chunk."""
    if objcheck_version() != version:
        raise WorkerMismatchError(f"objcheck {objcheck_version()} вместо {version}")
    with _LOCK:
        options = initargs[0]
        folder = str(options.rules_dir)
        if folder not in _FINGERPRINTS:
            _FINGERPRINTS[folder] = rules_fingerprint(options.rules_dir)
        if _FINGERPRINTS[folder] != rules_key:
            raise WorkerMismatchError("другие правила (отпечаток набора правил не совпадает)")
        worker = _worker_for(initargs)

        def check(file: str, stem: str, content: bytes | None, timings: Timings) -> FileResult:
            if worker.kill_on:
                _kill_hook(worker.kill_on, file)
            assert content is not None
            return check_content(worker, file, stem, content, timings)

        return check_each(chunk, check)


# --- on the client ----------------------------------------------------------------------


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise DaskError("для --executor dask нужен пакет dask.distributed: установите "
                        "pip install 'objcheck[dask]' (или запустите без --executor dask)"
                        ) from None
    return distributed


@contextlib.contextmanager
def _client(options: DaskOptions, workers: int) -> Iterator[Any]:
    distributed = _import_distributed()
    with contextlib.ExitStack() as stack:
        target: Any = options.scheduler
        if target is None:
            # The scheduler's HTTP endpoint would take port 8787 (another cluster's, often):
            # any free port, on this machine only.
            target = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
            ))
        try:
            client = stack.enter_context(distributed.Client(
                target, timeout=options.connect_timeout))
        except (OSError, TimeoutError) as exc:
            raise DaskError(f"планировщик dask {options.scheduler} не отвечает ({exc}); "
                            "проверьте адрес (--scheduler tcp://ХОСТ:8786 или tls://…), "
                            "что dask scheduler запущен и порт открыт") from None
        yield client


def _payload(chunk: list[Item], max_bytes: int) -> tuple[list[tuple[str, str, bytes]],
                                                          list[FileResult]]:
    """The contents of the chunk's files, and error rows for those that cannot be read."""
    sent, unreadable = [], []
    for file, stem in chunk:
        try:
            sent.append((file, stem, read_regular(Path(file), max_bytes)))
        except UnreadableFileError as exc:
            unreadable.append(FileResult(file, errors=[ErrorRow(file, None, "", exc.reason)]))
    return sent, unreadable


def _remote(initargs: _InitArgs) -> _InitArgs:
    """Initargs for workers on other machines: the client's cache folder means nothing
    there (no cache), and per-school reports would be written on their disks (refused)."""
    options = initargs[0]
    if options.reports_dir is not None:
        raise DaskError("--reports с --scheduler не поддерживается: отчёты по школам "
                        "записались бы на дисках исполнителей; запустите без --reports или "
                        "без --scheduler")
    return (replace(options, cache_dir=None), *initargs[1:])


Collect = Callable[[list[FileResult], Timings], None]


def run_on_dask(items: list[Item], initargs: _InitArgs, collect: Collect,
                progress: Callable[[], None], options: DaskOptions, workers: int) -> None:
    """Check ``items`` on a dask cluster; ``collect`` receives each chunk's rows.

    A chunk that dask gives up on (its workers died, ``KilledWorker``) may have been only
    queued beside the file that killed them: its files are sent again one at a time with
    nothing else in flight, and only a file that kills workers on its own becomes a crash
    row.
    """
    distributed = _import_distributed()
    version, rules_key = objcheck_version(), initargs[2]
    if options.scheduler is not None:
        initargs = _remote(initargs)
    max_bytes = Limits.from_env().max_bytes
    size = max(1, options.chunk)
    chunks = iter([items[i : i + size] for i in range(0, len(items), size)])
    retries: deque[list[Item]] = deque()
    with _client(options, workers) as client:
        window = max(2, 2 * sum(client.nthreads().values()))  # chunks in flight at most
        in_flight: dict[Any, tuple[list[Item], bool]] = {}  # future → files, alone?

        def submit(chunk: list[Item], alone: bool = False) -> None:
            sent, unreadable = _payload(chunk, max_bytes)
            if unreadable:
                collect(unreadable, Timings())
            if sent:
                future = client.submit(dask_check_chunk, sent, initargs, version, rules_key,
                                       pure=False)
                in_flight[future] = ([(file, stem) for file, stem, _ in sent], alone)

        def refill() -> None:  # no new chunks while files wait to be retried alone
            while not retries and len(in_flight) < window:
                chunk = next(chunks, None)
                if chunk is None:
                    return
                submit(chunk)

        refill()
        while in_flight or retries:
            if not in_flight:  # one suspect at a time, nothing beside it: a crash is its own
                submit(retries.popleft(), alone=True)
                if not in_flight:  # unreadable now: an error row already
                    continue
            done, _ = distributed.wait(list(in_flight), return_when="FIRST_COMPLETED")
            for future in done:
                chunk, alone = in_flight.pop(future)
                outcome = _outcome(future, chunk, alone, distributed)
                if outcome is None:
                    retries.extend([item] for item in chunk)
                else:
                    collect(*outcome)
                    progress()
            refill()


def _outcome(future: Any, chunk: list[Item], alone: bool, distributed: Any
             ) -> tuple[list[FileResult], Timings] | None:
    """The chunk's rows; None when its files are to be retried one at a time, alone."""
    try:
        results, timings = future.result()
    except distributed.KilledWorker:  # the chunk was on every worker that died
        if not alone:
            return None
        return [FileResult(file, errors=[ErrorRow(file, None, "", CRASH_MESSAGE)])
                for file, _stem in chunk], Timings()
    except WorkerMismatchError as exc:
        raise DaskError(f"рабочий процесс dask не совпадает с этой машиной: {exc}; "
                        "установите на всех машинах ту же версию objcheck и те же правила"
                        ) from None
    return results, timings
