import pytest

from rnnlab.data.parallel import read_parallel_files, read_parallel_tsv
from rnnlab.errors import DataError


def test_anki_tsv_with_attribution(tmp_path):
    path = tmp_path / "spa.txt"
    path.write_text("Go.\tVe.\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272\nHelp!\t¡Ayuda!\tCC-BY\n")
    pairs = read_parallel_tsv(path)
    assert pairs.sources == ["Go.", "Help!"] and pairs.targets == ["Ve.", "¡Ayuda!"]
    reverse = read_parallel_tsv(path, src_col=1, tgt_col=0)
    assert reverse.sources == ["Ve.", "¡Ayuda!"]


def test_tsv_too_few_columns(tmp_path):
    path = tmp_path / "spa.txt"
    path.write_text("Go.\tVe.\nHelp!\n")
    with pytest.raises(DataError) as info:
        read_parallel_tsv(path)
    assert str(info.value) == f"{path}:2: expected at least 2 tab-separated columns (src_col=0, tgt_col=1), found 1"


def test_aligned_files(tmp_path):
    (tmp_path / "a.en").write_text("Hello\n\nBye\n")
    (tmp_path / "a.de").write_text("Hallo\n\nTschüss\n")
    pairs = read_parallel_files(tmp_path / "a.en", tmp_path / "a.de")
    assert list(zip(pairs.sources, pairs.targets)) == [("Hello", "Hallo"), ("Bye", "Tschüss")]


def test_aligned_files_line_count_mismatch(tmp_path):
    (tmp_path / "a.en").write_text("Hello\nBye\nSee you\n")
    (tmp_path / "a.de").write_text("Hallo\nTschüss\n")
    with pytest.raises(DataError, match=r"a\.en has 3 lines but .*a\.de has 2; aligned files must have the same number of lines"):
        read_parallel_files(tmp_path / "a.en", tmp_path / "a.de")
