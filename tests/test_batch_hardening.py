"""Issue 17: a batch loses nothing good — crashes, interruptions, full disks, odd files,
a tampered cache. Every test bounds its run (subprocess timeouts) and asserts the exit
code, the absence of a traceback and that every good school is still in the outputs."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from checker.batch import export
from checker.batch.export import STAGING_PREFIX
from checker.batch.run import (
    CRASH_MESSAGE,
    KILL_HOOK_ENV,
    BatchOptions,
    WorkersFailedError,
    collect_files,
    run_batch,
)
from checker.cli.main import app
from checker.engine.compile import TRIGGER
from checker.engine.session import fnv1a32
from checker.io.cache import Cache, code_fingerprint, sources_fingerprint
from checker.testing.synthetic import make_profile, to_yaml, write_profiles
from tests.conftest import FIXTURES, ROOT

AS_OF = "2024-05-01"
GOOD = 8  # generated schools in every corpus
runner = CliRunner()


def _options(**kwargs: object) -> BatchOptions:
    return BatchOptions(as_of=dt.date.fromisoformat(AS_OF), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def schools(tmp_path: Path) -> Path:
    root = tmp_path / "schools"
    write_profiles(root, GOOD, seed=17)
    return root


# every batch here caches into the test's own folder (fixture in conftest)
pytestmark = pytest.mark.usefixtures("cache_home")


def _school_ids(root: Path) -> set[str]:
    """The ids of the schools of the profiles under ``root`` (what must come out)."""
    files, _ = collect_files([str(root)])
    return {str(YAML(typ="safe").load(Path(f).read_text(encoding="utf-8"))["school"]["id"])
            for f in files}


def _summary_ids(out: Path) -> set[str]:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {s["school_id"] for s in summary["schools"]}


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))


def _batch(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["batch", *args, "--as-of", AS_OF])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _no_staging(out: Path) -> bool:
    return not any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())


# --- 1. a worker that dies costs only its file ---------------------------------------------


def _deep_profile(levels: int) -> str:
    # 80 KB of brackets: the C YAML parser recursed until the stack overflowed (exit 139).
    return "school: " + "[" * levels + "]" * levels + "\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_deeply_nested_profile_costs_only_itself(
    schools: Path, tmp_path: Path, workers: str
) -> None:
    expected = _school_ids(schools)
    (schools / "deep.yaml").write_text(_deep_profile(40_000), encoding="utf-8")
    out = tmp_path / "out"
    code, output = _batch(str(schools), "--out", str(out), "-j", workers)
    assert code == 2, output
    assert "Traceback" not in output
    assert _summary_ids(out) == expected
    errors = _csv(out / "errors.csv")[1:]
    assert [Path(row[0]).name for row in errors] == ["deep.yaml"]


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_killed_on_a_file_gives_an_error_row_and_keeps_the_rest(
    schools: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    victim = sorted(schools.rglob("*.yaml"))[3]
    monkeypatch.setenv(KILL_HOOK_ENV, victim.name)
    result = run_batch([str(schools)], _options(), workers=workers)
    assert {s.school_id for s in result.schools} == _school_ids(schools) - _school_ids_of(victim)
    assert len(result.schools) == GOOD - 1
    assert [(Path(e.file).name, e.message) for e in result.errors] == [
        (victim.name, CRASH_MESSAGE)
    ]


def _school_ids_of(file: Path) -> set[str]:
    return {str(YAML(typ="safe").load(file.read_text(encoding="utf-8"))["school"]["id"])}


def test_worker_killed_once_mid_run_loses_nothing(
    schools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a kill -9 from outside: the worker dies once, with chunks in flight; every one of
    # their files is checked again, and all schools come out.
    victim = sorted(schools.rglob("*.yaml"))[5]
    marker = tmp_path / "killed-once"
    monkeypatch.setenv(KILL_HOOK_ENV, f"{victim.name}|{marker}")
    result = run_batch([str(schools)], _options(), workers=2)
    assert marker.exists()  # the worker really died
    assert {s.school_id for s in result.schools} == _school_ids(schools)
    assert result.errors == []


def test_workers_that_cannot_start_stop_the_run_with_a_message(
    schools: Path, tmp_path: Path
) -> None:
    # Not every file declared a killer, one pool restart each: one clear error.
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "federal" / "federal.yaml").write_text("pack: [\n", encoding="utf-8")
    with pytest.raises(WorkersFailedError, match="процессы проверки не запускаются"):
        run_batch([str(schools)], _options(rules_dir=rules), workers=2)


# --- 2. outputs as one set: interruption, full disk, --out ---------------------------------


def _old_outputs(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    old = {name: f"старый {name}\n".encode() for name in
           ("summary.csv", "findings.csv", "errors.csv", "summary.json", "summary.xlsx")}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return old


def _current(out: Path, names: dict[str, bytes]) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in names}


def test_full_disk_keeps_old_outputs(
    schools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    old = _old_outputs(out)

    def full(*_args: object, **_kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write_json", full)
    code, output = _batch(str(schools), "--out", str(out), "-j", "1")
    assert code == 2
    assert "нет места" in output and "прежние файлы не изменены" in output
    assert "Traceback" not in output
    assert _current(out, old) == old
    assert _no_staging(out)


def test_ctrl_c_while_writing_keeps_old_outputs(
    schools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    old = _old_outputs(out)
    real = export.write_xlsx

    def interrupted(*args: object, **kwargs: object) -> Path:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "write_xlsx", interrupted)
    code, output = _batch(str(schools), "--out", str(out), "-j", "1")
    assert code == 130
    assert "Прервано" in output and "Выходные файлы не записаны" in output
    assert _current(out, old) == old
    assert _no_staging(out)


def test_ctrl_c_during_the_run_exits_130_with_a_message(schools: Path, tmp_path: Path) -> None:
    write_profiles(schools / "more", 60, seed=3)
    out = tmp_path / "out"
    old = _old_outputs(out)
    env = {**os.environ, "OBJCHECK_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "batch", str(schools), "--out", str(out), "-j", "2",
         "--as-of", AS_OF], stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=ROOT,
    )
    assert process.stderr is not None
    first = process.stderr.readline().decode()
    assert "проверено" in first  # the run has started
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=60)
    text = first + stderr.decode()
    assert process.returncode == 130, text
    assert "Прервано (Ctrl-C)" in text and "прежние файлы" in text
    assert "Traceback" not in text
    assert _current(out, old) == old
    assert _no_staging(out)


def test_out_that_is_a_file_is_refused_before_the_run(schools: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("не каталог", encoding="utf-8")
    code, output = _batch(str(schools), "--out", str(target))
    assert code == 2
    assert "это файл, а нужен каталог" in output
    assert "проверено" not in output  # refused before any school was checked
    assert target.read_text(encoding="utf-8") == "не каталог"


def test_out_that_cannot_be_created_is_refused_before_the_run(
    schools: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, output = _batch(str(schools), "--out", str(blocker / "out"))
    assert code == 2
    assert "не удалось создать каталог" in output and "проверено" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize(("encoding", "message"), [
    ("nonsense", "неизвестная кодировка «nonsense»"),
    ("ascii", "нельзя записать русский текст"),
    ("rot13", "неизвестная кодировка"),  # a codec, but not a text encoding
])
def test_bad_csv_encoding_is_refused_before_the_run(
    schools: Path, tmp_path: Path, encoding: str, message: str
) -> None:
    code, output = _batch(str(schools), "--out", str(tmp_path / "out"), "--csv-encoding",
                          encoding)
    assert code == 2
    assert message in output and "проверено" not in output
    assert "Traceback" not in output


def test_a_second_run_replaces_the_whole_set(schools: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = _old_outputs(out)
    code, output = _batch(str(schools), "--out", str(out), "-j", "2", "--reports")
    assert code == 0, output
    assert all(data != old[name] for name, data in _current(out, old).items())
    assert _summary_ids(out) == _school_ids(schools)
    assert len(list((out / "reports").rglob("*.json"))) == GOOD
    assert _no_staging(out)


def test_markup_in_a_name_is_shown_not_parsed(tmp_path: Path) -> None:
    data = make_profile(17, 1)
    data["school"]["name"] = "Школа [/] [/red] [bold]№ 1"
    root = tmp_path / "schools"
    root.mkdir()
    (root / "school.yaml").write_text(to_yaml(data), encoding="utf-8")
    code, output = _batch(str(root), "--out", str(tmp_path / "out"), "-j", "1")
    assert code == 0, output
    assert "[/red] [bold]№ 1" in output  # shown as typed
    assert "Traceback" not in output and "MarkupError" not in output


# --- 11. a profile too large for the engine --------------------------------------------


def test_fact_ids_below_the_limit_never_collide() -> None:
    from checker.core.facts import MAX_FACTS

    hashes = {fnv1a32(TRIGGER)}
    for n in range(1, MAX_FACTS + 1):
        hashes.add(fnv1a32.__wrapped__(f"f{n}"))
    assert len(hashes) == MAX_FACTS + 1


def test_too_large_profile_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.core.check as check_module

    monkeypatch.setattr(check_module, "MAX_FACTS", 5)  # a real one would be ~30 MB
    result = runner.invoke(app, ["check", str(FIXTURES / "school-exemplary.yaml"),
                                 "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "слишком большой профиль" in result.output
    assert "Traceback" not in result.output


# --- 10. only regular files are read ---------------------------------------------------


def _odd_files(root: Path) -> dict[str, str]:
    """A FIFO, a dangling and a looping link and a directory, all named like profiles."""
    os.mkfifo(root / "pipe.yaml")
    (root / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    (root / "folder.yaml").mkdir()
    return {
        "pipe.yaml": "именованный канал",
        "dangling.yaml": "ведёт к несуществующему файлу",
        "loop.yaml": "зациклена",
        "folder.yaml": "это каталог",
    }


def test_odd_files_are_error_rows_and_never_block(schools: Path, tmp_path: Path) -> None:
    expected = _school_ids(schools)
    reasons = _odd_files(schools)
    out = tmp_path / "out"
    env = {**os.environ, "OBJCHECK_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-m", "checker", "batch", str(schools), "--out", str(out), "-j", "2",
         "--as-of", AS_OF], capture_output=True, env=env, cwd=ROOT, timeout=120, check=False,
    )
    assert run.returncode == 2, run.stderr.decode()
    assert b"Traceback" not in run.stderr + run.stdout
    assert _summary_ids(out) == expected
    rows = {Path(row[0]).name: row[3] for row in _csv(out / "errors.csv")[1:]}
    assert rows.keys() == reasons.keys()
    for name, reason in reasons.items():
        assert reason in rows[name]


def test_fifo_named_on_the_command_line_is_a_message(tmp_path: Path) -> None:
    fifo = tmp_path / "school.yaml"
    os.mkfifo(fifo)
    for command in (["check", str(fifo)], ["batch", str(fifo)]):
        run = subprocess.run(
            [sys.executable, "-m", "checker", *command, "--as-of", AS_OF], capture_output=True,
            cwd=ROOT, timeout=120, check=False,
            env={**os.environ, "OBJCHECK_CACHE_DIR": str(tmp_path / "cache")},
        )
        text = (run.stdout + run.stderr).decode()
        assert run.returncode == 2, text
        assert "именованный канал" in text and "Traceback" not in text


# --- 6 and 15. the cache: data only, private, verified -------------------------------------


def _entries(cache: Path, kind: str) -> list[Path]:
    return sorted(cache.rglob(f"{kind}/*/*.entry"))


def test_cache_files_are_private(schools: Path, cache_home: Path) -> None:
    run_batch([str(schools)], _options(cache_dir=cache_home), workers=2)
    paths = [cache_home, *cache_home.rglob("*")]
    assert any(p.is_file() for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_shuffled_cache_never_gives_another_schools_row(schools: Path, cache_home: Path) -> None:
    fresh = run_batch([str(schools)], _options(), workers=1)
    run_batch([str(schools)], _options(cache_dir=cache_home), workers=1)
    for kind in ("result", "profile"):
        entries = _entries(cache_home, kind)
        assert len(entries) == GOOD
        contents = [p.read_bytes() for p in entries]
        for path, data in zip(entries, contents[1:] + contents[:1], strict=True):
            path.write_bytes(data)  # every entry now holds its neighbour's
    again = run_batch([str(schools)], _options(cache_dir=cache_home), workers=2)
    assert again.timings.result_hits == again.timings.profile_hits == 0
    assert [(s.file, s.school_id, s.level, s.score) for s in again.schools] == [
        (s.file, s.school_id, s.level, s.score) for s in fresh.schools
    ]


def test_edited_cache_entry_is_a_miss(schools: Path, cache_home: Path) -> None:
    run_batch([str(schools)], _options(cache_dir=cache_home), workers=1)
    for path in _entries(cache_home, "result"):
        data = bytearray(path.read_bytes())
        data[-2] ^= 1  # one bit of the payload, behind an unchanged header
        path.write_bytes(bytes(data))
    again = run_batch([str(schools)], _options(cache_dir=cache_home), workers=1)
    assert again.timings.result_hits == 0


class _Planted:
    """What an attacker would plant in a pickle cache: it runs a command when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_planted_pickle_is_never_executed(
    schools: Path, cache_home: Path, tmp_path: Path
) -> None:
    fresh = run_batch([str(schools)], _options(), workers=1)
    run_batch([str(schools)], _options(cache_dir=cache_home), workers=1)
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Planted(marker))
    cache = Cache(cache_home)
    for kind in ("result", "profile"):
        for index, path in enumerate(_entries(cache_home, kind)):
            if index % 2:
                path.write_bytes(evil)  # a bare pickle
            else:  # a pickle behind a header naming the right key and hash
                cache.put(kind, path.stem, evil)
    again = run_batch([str(schools)], _options(cache_dir=cache_home), workers=2)
    assert not marker.exists()
    assert again.timings.result_hits == again.timings.profile_hits == 0
    assert [s.level for s in again.schools] == [s.level for s in fresh.schools]


def test_cache_owned_by_someone_else_or_shared_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    assert Cache(mine).enabled
    owner = mine.stat().st_uid
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # others could swap the cache's folder inside
    assert not Cache(shared).enabled
    assert stat.S_IMODE(shared.stat().st_mode) == 0o777  # refused, never changed
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)  # as another user sees it
    assert not Cache(mine).enabled


def test_cache_key_changes_with_the_code(tmp_path: Path) -> None:
    package = tmp_path / "checker"
    shutil.copytree(ROOT / "checker", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = sources_fingerprint(package)
    assert before == sources_fingerprint(ROOT / "checker") == code_fingerprint()
    source = package / "core" / "score.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert sources_fingerprint(package) != before
