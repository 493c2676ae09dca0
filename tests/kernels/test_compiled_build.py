"""The compiled engine never needs a compiler to install: every way a build can fail
gives a one-line reason, and the dispatch falls back to a pure-PyTorch engine."""

from __future__ import annotations

import pytest

from rnnlab.errors import EngineUnavailable
from rnnlab.kernels.compiled import build
from rnnlab.kernels.dispatch import choose_engine
from rnnlab.cells import make_cell


@pytest.fixture(autouse=True)
def fresh_cache():
    build.forget_loaded()
    yield
    build.forget_loaded()


@pytest.mark.parametrize("value", ["0", "off", "false"])
def test_switched_off_by_environment(monkeypatch, value):
    monkeypatch.setenv("RNNLAB_COMPILE", value)
    assert build.compile_blocker() == "RNNLAB_COMPILE=0 turns the compiled engine off"
    with pytest.raises(EngineUnavailable, match="RNNLAB_COMPILE=0"):
        build.load_family("lstm")


def test_missing_compiler_is_named(monkeypatch):
    monkeypatch.delenv("RNNLAB_COMPILE", raising=False)
    monkeypatch.setenv("CXX", "/nonexistent/g++")
    assert build.compile_blocker() == ("no C++ compiler: '/nonexistent/g++' is not on PATH "
                                       "(set CXX or install g++/clang)")
    choice = choose_engine("auto", make_cell("jordan", 2, 3), training=True)
    assert choice.engine == "reference"
    assert choice.reason.endswith("compiled engine unavailable: no C++ compiler: '/nonexistent/g++' "
                                  "is not on PATH (set CXX or install g++/clang)")


def test_missing_ninja_is_named(monkeypatch):
    import torch.utils.cpp_extension as cpp
    monkeypatch.delenv("RNNLAB_COMPILE", raising=False)
    monkeypatch.delenv("CXX", raising=False)
    if build.compile_blocker() is not None:
        pytest.skip(f"no compiler here: {build.compile_blocker()}")
    monkeypatch.setattr(cpp, "is_ninja_available", lambda: False)
    assert build.compile_blocker() == ("ninja is not installed (pip install ninja), "
                                       "which torch needs to build extensions")


def test_unknown_family_and_broken_source(monkeypatch, tmp_path):
    monkeypatch.delenv("RNNLAB_COMPILE", raising=False)
    monkeypatch.delenv("CXX", raising=False)
    if build.compile_blocker() is not None:
        pytest.skip(f"no compiler here: {build.compile_blocker()}")
    monkeypatch.setattr(build, "SOURCE_DIR", tmp_path / "csrc")
    monkeypatch.setenv("RNNLAB_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "csrc").mkdir()
    assert build.family_blocker("nope") == f"no compiled source for family 'nope' ({tmp_path / 'csrc' / 'nope.cpp'})"
    (tmp_path / "csrc" / "broken.cpp").write_text("#error this family does not compile\n")
    why = build.family_blocker("broken")
    assert why.startswith(f"building the 'broken' extension failed in {tmp_path / 'cache' / 'extensions'}")
    with pytest.raises(EngineUnavailable, match="building the 'broken' extension failed"):
        build.load_family("broken")


def test_build_key_changes_with_the_source(monkeypatch, tmp_path):
    monkeypatch.setattr(build, "SOURCE_DIR", tmp_path)
    (tmp_path / "a.cpp").write_text("int x = 1;\n")
    first = build.build_key("a")
    assert first == build.build_key("a") and len(first) == 12
    (tmp_path / "a.cpp").write_text("int x = 2;\n")
    assert build.build_key("a") != first
    (tmp_path / "a.cpp").write_text("int x = 1;\n")
    (tmp_path / "shared.h").write_text("#pragma once\n")  # headers are part of the key
    assert build.build_key("a") != first


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_CACHE_DIR", str(tmp_path / "here"))
    assert build.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("RNNLAB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert build.cache_dir() == tmp_path / "xdg" / "rnnlab"
