"""``objcheck convert``: a profile from YAML to JSON or back, checked to mean the same.

YAML is for people (comments, no quotes everywhere); JSON for machines that export many
schools (with validation it loads ~7× faster). The converted text is validated again and
must give the same profile as the original, or nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from checker.io.load import is_json, load_profile
from checker.io.yamlio import read_text
from checker.model.errors import InputError, Problem
from checker.model.profile import Profile


class TargetExistsError(Exception):
    """The target file exists and overwriting was not asked for."""


def convert_text(text: str, origin: str, target: str) -> str:
    """The profile ``text`` (named ``origin``) in the format of the name ``target``.

    Only what the file sets is written (``exclude_unset``): an absent section stays absent
    and an explicit ``false`` / ``[]`` / ``null`` stays explicit, which the rules tell apart.
    """
    profile = load_profile(text, origin)
    if is_json(target):
        converted = profile_json(profile)
    else:
        data = _with_dates(
            profile.model_dump(mode="json", exclude_unset=True, by_alias=True),
            profile.model_dump(mode="python", exclude_unset=True, by_alias=True),
        )
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        yaml.allow_unicode = True
        yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep order
        out = io.StringIO()
        yaml.dump(data, out)
        converted = out.getvalue()
    if load_profile(converted, target) != profile:  # never write a profile that differs
        raise InputError([Problem(origin, None, (), "профиль не удалось перевести без "
                                  "изменений; ничего не записано")])
    return converted


def profile_json(profile: Profile) -> str:
    """The profile as JSON text (``objcheck convert``, the questionnaire import): only what
    it sets (``exclude_unset``), so «не сообщено» stays absent and an explicit ``false`` /
    ``[]`` stays explicit."""
    return profile.model_dump_json(exclude_unset=True, by_alias=True, indent=2) + "\n"


def _with_dates(plain: Any, python: Any) -> Any:
    """The JSON-mode dump (plain str/int/bool/list/dict) with the dates of the Python-mode
    dump put back: YAML has a date type, and a quoted date would be a string there."""
    if isinstance(python, dt.date):
        return python
    if isinstance(plain, dict):
        # the Python dump's keys: JSON makes the number keys of mark counts strings
        return {
            key: _with_dates(value, original)
            for value, (key, original) in zip(plain.values(), python.items(), strict=True)
        }
    if isinstance(plain, list):
        return [_with_dates(value, original) for value, original in zip(plain, python,
                                                                         strict=True)]
    return plain


def convert_file(source: Path, target: Path, overwrite: bool = False) -> None:
    """Write ``source`` converted to ``target``'s format, atomically: the target is
    either absent/unchanged or complete. An existing target is kept unless ``overwrite``."""
    converted = convert_text(read_text(source), str(source), str(target))
    if not overwrite and target.exists():
        raise TargetExistsError(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(converted)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).chmod(source.stat().st_mode & 0o777)  # names inside: as private as before
        if overwrite:
            Path(temp).replace(target)  # atomic rename
        else:
            os.link(temp, target)  # atomic, and fails if someone created it meanwhile
    except FileExistsError:
        raise TargetExistsError(str(target)) from None
    finally:
        Path(temp).unlink(missing_ok=True)
