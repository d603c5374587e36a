"""On-disk cache for ``objcheck batch``: validated profiles and evaluated results.

Two kinds of entries, both pickles named by a SHA-256 key:

* ``profile`` — the validated ``Profile`` of a file, keyed by the file's bytes, the profile
  schema version and the package version. A re-run over an unchanged file skips YAML
  parsing and validation.
* ``result`` — the summary of one school's evaluation, keyed by the profile key, the
  fingerprint of the rule packs and the as-of date. A change to a rule pack misses here
  but still hits the profile entry, so the school is re-evaluated without re-parsing.

The cache lives in ``$OBJCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/objcheck``, else
``~/.cache/objcheck``. Entries are written atomically (temporary file + rename), so
parallel workers never see half a file; a damaged entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from importlib import metadata
from pathlib import Path
from typing import Any

from checker.io.packs import default_rules_dir, discover_packs
from checker.model.profile import SCHEMA_VERSION
from checker.model.report import REPORT_VERSION

CACHE_FORMAT = "2"  # 2: FindingRow is a NamedTuple


def package_version() -> str:
    try:
        return metadata.version("objcheck")
    except metadata.PackageNotFoundError:  # pragma: no cover - source checkout without install
        return "0+unknown"


def default_cache_dir() -> Path:
    override = os.environ.get("OBJCHECK_CACHE_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "objcheck"


def profile_key(content: bytes) -> str:
    """Key of a profile file: its bytes, the schema version and the package version."""
    digest = hashlib.sha256()
    digest.update(f"profile|{CACHE_FORMAT}|{SCHEMA_VERSION}|{package_version()}|".encode())
    digest.update(content)
    return digest.hexdigest()


def rules_fingerprint(rules_dir: Path | None) -> str:
    """Hash of every pack file (path and bytes) the rule book is loaded from."""
    base = rules_dir or default_rules_dir()
    digest = hashlib.sha256(f"rules|{REPORT_VERSION}|{package_version()}|".encode())
    for path in discover_packs(base):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def result_key(profile: str, rules: str, as_of: str) -> str:
    return hashlib.sha256(f"result|{profile}|{rules}|{as_of}".encode()).hexdigest()


class Cache:
    """A directory of pickled entries; ``None`` root disables it."""

    def __init__(self, root: Path | None) -> None:
        self.root = root / f"v{CACHE_FORMAT}" if root is not None else None

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any:
        if self.root is None:
            return None
        try:
            with self._path(kind, key).open("rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or foreign entry is a miss, never a failure
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.root is None:
            return
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with tmp.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError:  # a read-only or full cache directory only costs speed
            return
