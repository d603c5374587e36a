"""PDF of the справка and the plan: the DOCX converted by LibreOffice (headless).

The DOCX is the document people edit; its PDF is the same layout (widths, merged rows,
the repeated header row, page numbers), so the two never disagree. LibreOffice is the one
converter that reads DOCX faithfully without a network service; scripts/ensure-system-tools.sh
installs it for the tests. A user without it gets a Russian message, not a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

CONVERT_TIMEOUT_S = 120
OFFICE_COMMANDS = ("soffice", "libreoffice")


class PdfError(Exception):
    """The PDF cannot be made; the message is in Russian."""


def office_command() -> str:
    for name in OFFICE_COMMANDS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "для --format pdf нужен LibreOffice (команда soffice), а он не найден; установите "
        "его (например, apt-get install libreoffice-writer) или выберите --format docx"
    )


def docx_to_pdf(write_docx: Callable[[Path], None], target: Path) -> None:
    """Write the DOCX with ``write_docx`` in a private folder and convert it to ``target``."""
    office = office_command()
    with tempfile.TemporaryDirectory(prefix="objcheck-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        write_docx(source)
        # a private LibreOffice profile: a running LibreOffice of the user is not disturbed
        command = [office, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            subprocess.run(command, capture_output=True, check=False,
                           timeout=CONVERT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice не закончил преобразование в PDF за "
                           f"{CONVERT_TIMEOUT_S} с") from None
        made = work / "document.pdf"
        if not made.is_file():
            raise PdfError("LibreOffice не смог преобразовать документ в PDF")
        shutil.move(str(made), str(target))
