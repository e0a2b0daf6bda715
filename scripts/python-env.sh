#!/usr/bin/env bash
# A Python virtual environment with the independent TUF implementation the tests compare against
# (python-tuf 7 and securesystemslib from PyPI), the browser tests' driver (Selenium, html5lib) and the API
# document's fuzzer (schemathesis), in .build-python/
# (ignored by git).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv="$repo/.build-python/venv"
want="tuf==7.0.0 securesystemslib[crypto]==1.4.0 selenium==4.27.1 html5lib==1.1 schemathesis==4.32.5"
stamp="$venv/.exup-requirements"
if [[ -x "$venv/bin/python3" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
echo "creating $venv ($want)"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check $want
echo "$want" > "$stamp"
