"""scripts/ensure-system-tools.sh: without root it explains what to install and fails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def test_without_root_missing_tools_fail_with_a_russian_message(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_id = bin_dir / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(0o755)
    sort = shutil.which("sort")
    assert sort
    (bin_dir / "sort").symlink_to(sort)
    done = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "ensure-system-tools.sh")],
        env={"PATH": str(bin_dir)}, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 1
    assert "нужны системные пакеты" in done.stderr
    for package in ("chromium", "libreoffice-writer-nogui", "poppler-utils"):
        assert package in done.stderr
