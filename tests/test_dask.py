"""``objcheck batch --executor dask``: the same outputs as local processes, byte for byte;
clear Russian errors; a worker killed by a file costs only its chunk."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.batch.dask_run import (
    DaskError,
    DaskOptions,
    WorkerMismatchError,
    dask_check_chunk,
    objcheck_version,
)
from checker.batch.export import BatchStream, write_all
from checker.batch.run import CRASH_MESSAGE, KILL_HOOK_ENV, BatchOptions, BatchResult, run_batch
from checker.cli.main import app
from checker.io.cache import rules_fingerprint
from checker.testing.synthetic import write_profiles
from tests.conftest import FIXTURES

distributed = pytest.importorskip("distributed", reason="the dev extra installs objcheck[dask]")

AS_OF = dt.date(2024, 5, 1)
OPTIONS = BatchOptions(as_of=AS_OF)
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two worker processes, one thread each, as ``--executor dask`` starts them."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.ERROR) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures, generated schools, a JSON profile and a file that does not parse."""
    root = tmp_path_factory.mktemp("dask") / "schools"
    shutil.copytree(FIXTURES, root / "fixtures")
    write_profiles(root / "generated", 9, seed=5)
    (root / "broken.yaml").write_text("school:\n  id: x\n  name: школа: № 1\n", encoding="utf-8")
    return root


def _outputs(result: BatchResult, out: Path) -> dict[str, bytes]:
    write_all(result, out)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_dask_outputs_are_byte_identical_to_local(cluster: str, corpus: Path,
                                                  tmp_path: Path) -> None:
    local = run_batch([str(corpus)], OPTIONS, workers=2)
    remote = run_batch([str(corpus)], OPTIONS, workers=2,
                       dask=DaskOptions(scheduler=cluster, chunk=4))
    assert len(remote.schools) == len(local.schools) > 10
    assert remote.errors and remote.errors == local.errors  # the broken file, located
    expected = _outputs(local, tmp_path / "local")
    assert set(expected) >= {"summary.csv", "findings.csv", "errors.csv", "summary.json"}
    assert _outputs(remote, tmp_path / "dask") == expected
    # written while the chunks come back, as the CLI does: still the same bytes
    stream = BatchStream(tmp_path / "streamed")
    streamed = run_batch([str(corpus)], OPTIONS, workers=2,
                         dask=DaskOptions(scheduler=cluster, chunk=4), sink=stream)
    write_all(streamed, tmp_path / "streamed", stream=stream)
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "streamed").iterdir())
            if p.is_file()} == expected


def test_a_worker_with_other_rules_or_version_refuses_the_chunk() -> None:
    initargs = (OPTIONS, AS_OF, rules_fingerprint(None), None)
    with pytest.raises(WorkerMismatchError, match="objcheck"):
        dask_check_chunk([], initargs, "0.0.0-other", initargs[2])
    with pytest.raises(WorkerMismatchError, match="правила"):
        dask_check_chunk([], initargs, objcheck_version(), "other-rules")
    results, _timings = dask_check_chunk([], initargs, objcheck_version(), initargs[2])
    assert results == []


def test_mismatch_on_the_cluster_is_a_russian_error(cluster: str, corpus: Path,
                                                    tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURES.parent / "rules", rules)
    options = BatchOptions(as_of=AS_OF, rules_dir=rules)
    key = rules_fingerprint(rules)
    with (rules / "federal" / "federal-0571.yaml").open("a", encoding="utf-8") as pack:
        pack.write("# изменено после старта клиента\n")
    from checker.batch.dask_run import run_on_dask

    with pytest.raises(DaskError, match="не совпадает"):
        run_on_dask([(str(corpus / "broken.yaml"), "broken")], (options, AS_OF, key, None),
                    lambda _results, _timings: None, lambda: None,
                    DaskOptions(scheduler=cluster), 1)


def test_without_dask_installed_the_message_says_what_to_install(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(DaskError, match=r"objcheck\[dask\]"):
        run_batch([str(corpus)], OPTIONS, workers=1, dask=DaskOptions())
    result = runner.invoke(app, ["batch", str(corpus), "--executor", "dask", "--no-cache",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "objcheck[dask]" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_scheduler_that_does_not_answer_is_a_russian_error(corpus: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(DaskError, match="не отвечает"):
        run_batch([str(corpus)], OPTIONS, workers=1,
                  dask=DaskOptions(scheduler=address, connect_timeout=1.0))


def test_scheduler_option_needs_the_dask_executor(corpus: Path) -> None:
    result = runner.invoke(app, ["batch", str(corpus), "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert "--executor dask" in result.output


def test_a_killed_worker_costs_only_its_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that kills every worker it is tried on: its chunk (and any chunk queued on
    the same workers) is retried file by file; only that file becomes a crash row."""
    root = tmp_path / "schools"
    paths = write_profiles(root, 8, seed=3)
    killer = sorted(paths)[2]
    monkeypatch.setenv(KILL_HOOK_ENV, killer.name)
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address="127.0.0.1:0",
                                     silence_logs=logging.CRITICAL) as local:
        result = run_batch([str(root)], OPTIONS, workers=2,
                           dask=DaskOptions(scheduler=local.scheduler_address, chunk=2))
    files = sorted(str(p) for p in paths)
    assert [(e.file, e.message) for e in result.errors] == [(str(killer), CRASH_MESSAGE)]
    assert sorted(s.file for s in result.schools) == [f for f in files if f != str(killer)]


@pytest.mark.slow
def test_a_real_scheduler_and_worker_give_the_local_outputs(corpus: Path,
                                                            tmp_path: Path) -> None:
    """``dask scheduler`` and ``dask worker`` as separate processes on 127.0.0.1, as an
    authority would start them on its servers."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask_cli = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    logs = tmp_path / "logs"
    logs.mkdir()
    started = []
    try:
        for name, argv in (
            ("scheduler", [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                           "--no-dashboard"]),
            ("worker", [dask_cli, "worker", address, "--nthreads", "1", "--nworkers", "1",
                        "--no-dashboard", "--host", "127.0.0.1"]),
        ):
            with (logs / f"{name}.log").open("wb") as log:
                started.append(subprocess.Popen(argv, stdout=log, stderr=log, env=env))
        deadline = time.monotonic() + 60
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=max(1.0, deadline - time.monotonic()))
        result = runner.invoke(app, ["batch", str(corpus), "--executor", "dask",
                                     "--scheduler", address, "--chunk", "5", "--no-cache",
                                     "--as-of", AS_OF.isoformat(),
                                     "--out", str(tmp_path / "dask")])
        assert result.exit_code == 2, result.output  # 2: the broken file is an error row
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    local = runner.invoke(app, ["batch", str(corpus), "--no-cache", "-j", "1",
                                "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "local")])
    assert local.exit_code == 2
    for path in sorted((tmp_path / "local").iterdir()):
        if path.is_file():
            assert (tmp_path / "dask" / path.name).read_bytes() == path.read_bytes(), path.name


def test_reports_are_refused_with_a_remote_scheduler(corpus: Path, tmp_path: Path) -> None:
    """Per-school reports would land on the workers' disks, not the client's."""
    options = BatchOptions(as_of=AS_OF, reports_dir=tmp_path / "reports")
    with pytest.raises(DaskError, match="--reports"):
        run_batch([str(corpus)], options, workers=1,
                  dask=DaskOptions(scheduler="tcp://127.0.0.1:1", connect_timeout=1.0))
    assert not (tmp_path / "reports").exists()
