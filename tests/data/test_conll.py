import pytest

from rnnlab.data.conll import read_conll, read_conllu
from rnnlab.errors import DataError

CONLLU = """# sent_id = 1
# text = I didn't go.
1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_
2-3\tdidn't\t_\t_\t_\t_\t_\t_\t_\t_
2\tdid\tdo\tAUX\tVBD\t_\t4\taux\t_\t_
3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_
4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_
4.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t_\t_
5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

# sent_id = 2
1\tNew York\tNew York\tPROPN\tNNP\t_\t0\troot\t_\t_
"""


def test_conllu_upos_skips_ranges_and_empty_nodes(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text(CONLLU)
    data = read_conllu(path)
    assert data.tokens == [["I", "did", "n't", "go", "."], ["New York"]]
    assert data.tags == [["PRON", "AUX", "PART", "VERB", "PUNCT"], ["PROPN"]]
    assert read_conllu(path, tag="xpos").tags[0] == ["PRP", "VBD", "RB", "VB", "."]


def test_two_column_whitespace_file_with_docstart(tmp_path):
    path = tmp_path / "ner.txt"
    path.write_text("-DOCSTART- O\n\nEU B-ORG\nrejects O\n\n\n# note\nPeter B-PER\n")
    data = read_conll(path)
    assert data.tokens == [["EU", "rejects"], ["Peter"]]
    assert data.tags == [["B-ORG", "O"], ["B-PER"]]


def test_last_column_tag(tmp_path):
    path = tmp_path / "conll03.txt"
    path.write_text("EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n")
    assert read_conll(path, tag_col=-1).tags == [["B-ORG", "O"]]


def test_too_few_columns_names_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("EU B-ORG\nrejects\n")
    with pytest.raises(DataError) as info:
        read_conll(path)
    assert str(info.value) == f"{path}:2: expected at least 2 columns (token column 0, tag column 1), found 1"


def test_max_len_truncates_tokens_and_tags(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a X\nb Y\nc Z\n\nd W\n")
    with pytest.warns(UserWarning, match="truncated 1 sequence"):
        data = read_conll(path, max_len=2)
    assert data.tokens == [["a", "b"], ["d"]] and data.tags == [["X", "Y"], ["W"]]
    with pytest.raises(DataError, match=r"t\.txt:1: sequence has 3 tokens, more than max_len=2"):
        read_conll(path, max_len=2, too_long="error")


def test_only_comments(tmp_path):
    path = tmp_path / "c.conllu"
    path.write_text("# only a comment\n")
    with pytest.raises(DataError, match=r"c\.conllu: no sentences found"):
        read_conllu(path)
