#!/usr/bin/env bash
# Debian packages the tests use: a PostgreSQL server (storage tests run on it too), poppler-utils
# (pdftotext, pdffonts, pdftoppm read the PDF reports), zbar-tools (zbarimg decodes their QR codes) and
# LibreOffice Calc (prints the workbooks as a manager would, to check they fit the page).
# Installs what is missing when it can (root with apt); otherwise says what is missing and goes on.
set -euo pipefail
# The app's own (Qt's screen libraries: selftest checks them) first.
bash "$(dirname "$0")/../resources/system-packages.sh"
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${need[@]}"
else
  echo "tests/system-packages.sh: not installed: ${need[*]} (the tests that need them are skipped outside CI)" >&2
fi
