"""Create one virtualenv per library under bench/.venvs/ (gitignored).

Each peer is installed by pip, by name and pinned version, into a virtualenv
of its own: the peer websockets 17.x has the same distribution name as ours
and must never land in the project's .venv. Our library is installed in
editable mode from the work tree, so the benchmark measures the current
source (and builds its C speedups, if any).

    python bench/venvs.py            # create what is missing
    python bench/venvs.py --force    # recreate all

A stamp file records what was installed; a venv is rebuilt when its
requirements change.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS = BENCH / ".venvs"

UVLOOP = "uvloop==0.23.0"

# name -> pip requirements (ours is installed from the work tree).
LIBRARIES: dict[str, list[str]] = {
    "ours": ["-e", str(ROOT), UVLOOP],
    "websockets17": ["websockets==17.4", UVLOOP],
    "picows": ["picows==2.3.1", UVLOOP],
    "aiohttp": ["aiohttp==3.14.5", UVLOOP],
    # The raw asyncio TCP echo needs nothing but uvloop.
    "raw": [UVLOOP],
}


def python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def build_inputs() -> list[Path]:
    """Files whose change calls for reinstalling our library (compiled parts)."""
    src = ROOT / "src"
    paths = [ROOT / "pyproject.toml", ROOT / "setup.py"]
    paths += sorted((src / "websockets").glob("*.c"))
    paths += sorted((src / "websockets").rglob("*.pxd"))
    # The modules compiled by Cython: see websockets.compiled.
    spec = importlib.util.spec_from_file_location("compiled", src / "websockets" / "compiled.py")
    if spec is not None and spec.loader is not None:
        compiled = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(compiled)
        paths += [src / (name.replace(".", "/") + ".py") for name in compiled.COMPILED]
    return [p for p in paths if p.exists()]


def pip_install(name: str, reqs: list[str]) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    out = subprocess.run(
        [str(python(name)), "-m", "pip", "install", "-q", *reqs],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"[venvs] pip install failed for {name}")


def ensure(name: str, force: bool = False) -> Path:
    reqs = LIBRARIES[name]
    venv = VENVS / name
    stamp = venv / ".bench-installed"
    wanted = "\n".join(reqs) + "\n"
    if not force and stamp.exists() and stamp.read_text() == wanted:
        if name == "ours" and any(
            p.stat().st_mtime > stamp.stat().st_mtime for p in build_inputs()
        ):
            print("[venvs] reinstalling ours (build inputs changed)", flush=True)
            pip_install(name, reqs)
            stamp.write_text(wanted)
        return python(name)
    print(f"[venvs] creating {venv}", flush=True)
    subprocess.run(
        [sys.executable, "-m", "venv", "--clear", str(venv)], check=True
    )
    pip_install(name, reqs)
    stamp.write_text(wanted)
    return python(name)


def ensure_all(names: list[str] | None = None, force: bool = False) -> None:
    for name in names or list(LIBRARIES):
        ensure(name, force=force)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("names", nargs="*", help=", ".join(LIBRARIES))
    args = parser.parse_args()
    unknown = set(args.names) - set(LIBRARIES)
    if unknown:
        parser.error(f"unknown: {sorted(unknown)}")
    ensure_all(args.names or None, force=args.force)
    for name in args.names or LIBRARIES:
        out = subprocess.run(
            [str(python(name)), "-m", "pip", "freeze"],
            capture_output=True,
            text=True,
        ).stdout
        pkgs = [line for line in out.splitlines() if not line.startswith("#")]
        print(f"[venvs] {name}: {', '.join(pkgs)}")


if __name__ == "__main__":
    main()
