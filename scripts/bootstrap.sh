#!/usr/bin/env bash
# Create .venv with a Python 3.12+ that actually runs, then install the locked dependencies.
# On some machines `python3` is older and `python3.12` on PATH is a pyenv shim that fails
# when run, so every candidate is executed before it is trusted.
set -euo pipefail
cd "$(dirname "$0")/.."

export UV_PYTHON_DOWNLOADS=never

find_uv() {
    if command -v uv >/dev/null 2>&1; then command -v uv; return; fi
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -m uv --version >/dev/null 2>&1; then
            echo "$py -m uv"; return
        fi
    done
    echo "uv not found: installing it with pip" >&2
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -m pip install --quiet --user uv >&2; then
            if command -v uv >/dev/null 2>&1; then command -v uv; else echo "$py -m uv"; fi
            return
        fi
    done
    echo "Could not install uv. Install it (https://docs.astral.sh/uv/) and run make again." >&2
    exit 1
}

runs_312() {  # prints the interpreter's path if it runs and is 3.12 or newer
    "$1" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' 2>/dev/null
}

find_python() {
    local candidate found
    for candidate in python3.14 python3.13 python3.12; do
        if command -v "$candidate" >/dev/null 2>&1 && found=$(runs_312 "$candidate"); then
            echo "$found"; return
        fi
    done
    if found=$($UV python find '>=3.12' 2>/dev/null) && runs_312 "$found" >/dev/null; then
        echo "$found"; return
    fi
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    for candidate in $(ls -d "$root"/versions/3.1[2-9]* "$root"/versions/3.[2-9][0-9]* 2>/dev/null | sort -rV); do
        if found=$(runs_312 "$candidate/bin/python3"); then echo "$found"; return; fi
    done
    return 1
}

UV=$(find_uv)
if [ ! -x .venv/bin/python ] || ! runs_312 .venv/bin/python >/dev/null; then
    if ! PYTHON=$(find_python); then
        cat >&2 <<'MSG'
Alongside needs Python 3.12 or newer, and none that runs was found
(tried python3.14, python3.13, python3.12, uv's discovery and pyenv's versions).
Install one, for example `apt-get install python3.12`, `pyenv install 3.13`
or `uv python install 3.13`, then run make again.
MSG
        exit 1
    fi
    echo "Using $PYTHON"
    rm -rf .venv
    $UV venv --quiet --python "$PYTHON" .venv
fi
UV_PYTHON=.venv/bin/python $UV sync --quiet --locked
