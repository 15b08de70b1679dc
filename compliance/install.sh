#!/usr/bin/env bash
# Install wstest (Autobahn|Testsuite) into .autobahn/py27, a Python 2.7
# virtualenv outside the tracked files. Idempotent: a stamp holding the hash
# of requirements-wstest.txt (and of this script) skips the work when nothing
# changed. Prints the path of the environment's python on its last line.
#
# Environment:
#   AUTOBAHN_DIR  where to build the environments (default: <repo>/.autobahn)
#   PYTHON27      a CPython 2.7 interpreter (default: pyenv's 2.7.x, then
#                 python2.7 on PATH)
#   PYTHON3       a Python 3 interpreter to run virtualenv (default: python3)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
DIR="${AUTOBAHN_DIR:-$ROOT/.autobahn}"
REQS="$HERE/requirements-wstest.txt"
PYTHON3="${PYTHON3:-python3}"
# virtualenv 20.21.1 is the last release able to create Python 2.7 envs.
VIRTUALENV_PIN="virtualenv==20.21.1"

find_python27() {
    if [ -n "${PYTHON27:-}" ]; then
        echo "$PYTHON27"
        return
    fi
    local root
    root="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root)"
    fi
    local candidate
    for candidate in "$root"/versions/2.7*/bin/python; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
    if command -v python2.7 >/dev/null 2>&1; then
        command -v python2.7
        return
    fi
    echo "install.sh: no Python 2.7 found (set PYTHON27)" >&2
    exit 1
}

# pip as configured here warns about every package missing from local
# indexes; keep its real errors, drop that noise. Keeps pip's exit status.
pip_quietly() {
    PIP_NO_PYTHON_VERSION_WARNING=1 "$@" 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; } >&2
    return "${PIPESTATUS[0]}"
}

stamp_value() {
    cat "$REQS" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1
}

STAMP="$DIR/py27/.installed"
WANT="$(stamp_value)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
        && [ -x "$DIR/py27/bin/wstest" ]; then
    echo "$DIR/py27/bin/python"
    exit 0
fi

PY27="$(find_python27)"
mkdir -p "$DIR"
echo "install.sh: building wstest environment in $DIR (Python 2.7: $PY27)" >&2

# 1. A Python 3 venv that only holds the pinned virtualenv.
if [ ! -x "$DIR/bootstrap/bin/virtualenv" ]; then
    rm -rf "$DIR/bootstrap"
    "$PYTHON3" -m venv "$DIR/bootstrap"
    pip_quietly "$DIR/bootstrap/bin/python" -m pip install -q "$VIRTUALENV_PIN"
fi

# 2. The Python 2.7 virtualenv, rebuilt from scratch when the pins change.
rm -rf "$DIR/py27"
"$DIR/bootstrap/bin/virtualenv" -q --no-periodic-update -p "$PY27" "$DIR/py27" >&2

# 3. wstest and its dependencies, every version pinned (see the file).
pip_quietly "$DIR/py27/bin/python" -m pip install -q --no-deps -r "$REQS"
pip_quietly "$DIR/py27/bin/python" -m pip check
"$DIR/py27/bin/wstest" --autobahnversion >&2

echo "$WANT" > "$STAMP"
echo "$DIR/py27/bin/python"
