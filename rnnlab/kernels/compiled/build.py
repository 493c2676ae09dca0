"""Build and load the compiled engine's C++ extensions, on first use, with a cache.

Choice (documented in docs/engines.md): we compile **on first use**, not at install.
Installing rnnlab never needs a compiler; the first layer that can use a compiled
family builds it once (~30-60 s per family on 2 cores) into a cache keyed by the
source, torch and Python versions, and every later process loads it in ~0.1 s.
When a family cannot be built or loaded (no compiler, no ninja, a build error, a
non-CPU device), :func:`load_family` raises :class:`EngineUnavailable` with the
reason and the dispatch falls back to a pure-PyTorch engine, saying why.

Portability: only ``-O3`` (no ``-march=native``, no fast-math): the binary runs on
any CPU of the platform it was built for; ATen's own kernels (the matrix products)
still pick AVX2/AVX-512 at run time.

Environment:
    RNNLAB_COMPILE=0       never build or load the compiled engine.
    RNNLAB_CACHE_DIR=DIR   where builds are cached (default ~/.cache/rnnlab).
    CXX                    the C++ compiler (default ``c++``), as torch uses it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import shutil
import sys
from pathlib import Path
from types import ModuleType

import torch

from rnnlab.errors import EngineUnavailable

SOURCE_DIR = Path(__file__).parent / "csrc"
CFLAGS = ["-O3"]  # torch adds its own -std; nothing CPU-specific


def cache_dir() -> Path:
    """Root of the extension cache: $RNNLAB_CACHE_DIR or ~/.cache/rnnlab (XDG aware)."""
    if os.environ.get("RNNLAB_CACHE_DIR"):
        return Path(os.environ["RNNLAB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnnlab"


def source_path(family: str) -> Path:
    """The C++ source of one family: ``csrc/<family>.cpp``."""
    return SOURCE_DIR / f"{family}.cpp"


def build_key(family: str) -> str:
    """Hash of everything that makes a binary incompatible: source, headers, torch, Python, flags."""
    digest = hashlib.sha256()
    for path in [source_path(family), *sorted(SOURCE_DIR.glob("*.h"))]:
        digest.update(path.read_bytes())
    digest.update(f"{torch.__version__}|{sys.version_info[:2]}|{platform.machine()}|{CFLAGS}".encode())
    return digest.hexdigest()[:12]


def compile_blocker() -> str | None:
    """Why nothing can be compiled here, or None if a build can be tried."""
    if os.environ.get("RNNLAB_COMPILE", "1").strip() in ("0", "false", "no", "off"):
        return "RNNLAB_COMPILE=0 turns the compiled engine off"
    compiler = os.environ.get("CXX", "c++")
    if shutil.which(compiler) is None:
        return f"no C++ compiler: '{compiler}' is not on PATH (set CXX or install g++/clang)"
    _put_pip_ninja_on_path()
    from torch.utils.cpp_extension import is_ninja_available
    if not is_ninja_available():
        return "ninja is not installed (pip install ninja), which torch needs to build extensions"
    return None


def _put_pip_ninja_on_path() -> None:
    """torch looks for ``ninja`` on PATH; the pip package's binary is there only in an
    activated venv, so add its folder when the package is installed."""
    try:
        import ninja
    except ImportError:
        return
    folder = str(getattr(ninja, "BIN_DIR", ""))
    if folder and folder not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = folder + os.pathsep + os.environ.get("PATH", "")


@functools.lru_cache(maxsize=None)
def _load(family: str) -> ModuleType | str:
    """The loaded module, or a one-line reason it is unavailable (cached per process)."""
    blocker = compile_blocker()
    if blocker is not None:
        return blocker
    if not source_path(family).is_file():
        return f"no compiled source for family '{family}' ({source_path(family)})"
    from torch.utils.cpp_extension import load
    key = build_key(family)
    build = cache_dir() / "extensions" / f"{family}-{key}"
    build.mkdir(parents=True, exist_ok=True)
    try:
        return load(name=f"rnnlab_{family}_{key}", sources=[str(source_path(family))],
                    extra_cflags=CFLAGS, extra_include_paths=[str(SOURCE_DIR)],
                    build_directory=str(build), verbose=False)
    except Exception as error:  # a failed build must never stop training: fall back
        return f"building the '{family}' extension failed in {build}: {_first_error(error)}"


def _first_error(error: Exception) -> str:
    """The compiler's first 'error:' line, else the first line of the message (<= 300 chars)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line]
    line = (errors or lines or [type(error).__name__])[0]
    return line if len(line) <= 300 else line[:297] + "..."


def load_family(family: str) -> ModuleType:
    """Load (building once if needed) ``csrc/<family>.cpp``; raise EngineUnavailable if impossible."""
    loaded = _load(family)
    if isinstance(loaded, str):
        raise EngineUnavailable(loaded)
    return loaded


def family_blocker(family: str) -> str | None:
    """None if the family's extension loads (building it if needed), else why not."""
    loaded = _load(family)
    return loaded if isinstance(loaded, str) else None


def forget_loaded() -> None:
    """Clear the per-process cache (tests that change the environment use it)."""
    _load.cache_clear()
