#!/usr/bin/env bash
# Installs the system tools the document tests use, when missing:
#   chromium       — renders the HTML справка (headless, print to PDF) to check A4 layout;
#   soffice        — LibreOffice Writer converts DOCX to text and PDF, as a reader would
#                    open and print it (also `objcheck report/plan --format pdf`);
#   Calc           — LibreOffice Calc prints the XLSX files, to check they fit the page;
#   pdftotext      — poppler-utils reads the PDF Chromium prints (text and page count).
# Runs quietly; installs only as root (CI), otherwise explains what to install and fails.
set -euo pipefail

declare -A package_of=(
  [chromium]=chromium
  [soffice]=libreoffice-writer-nogui
  [pdftotext]=poppler-utils
  [pdfinfo]=poppler-utils
)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
# Calc has no command of its own: its library tells whether it is installed.
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
# Cyrillic glyphs for Chromium's PDF (pdftotext reads back the text): without a font that
# covers them the A4 check would read boxes, not words.
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -ne 0 ]; then
  echo "objcheck: для тестов документов нужны системные пакеты: ${missing[*]}." >&2
  echo "Установите их (sudo apt-get install ${missing[*]}) или запустите ./dev test от root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
