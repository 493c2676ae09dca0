import pytest

from rnnlab.data.labelled import read_class_folders, read_labelled_jsonl, read_labelled_table
from rnnlab.errors import DataError


def test_csv_with_quoted_multiline_field(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('id,review,label\n1,"Great, truly\ngreat",pos\n2,Bad,neg\n3,"Meh ""ok""",neg\n')
    data = read_labelled_table(path, text_col="review", label_col="label")
    assert data.texts == ["Great, truly\ngreat", "Bad", 'Meh "ok"']
    assert data.label_names == ["neg", "pos"]
    assert data.labels == [1, 0, 0]


def test_tsv_no_quoting_and_numeric_label_order(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text('text\tlabel\n"Go!" he said\t10\nx\t2\ny\t10\n')
    data = read_labelled_table(path)
    assert data.texts[0] == '"Go!" he said'
    assert data.label_names == ["2", "10"]
    assert data.labels == [1, 0, 1]


def test_missing_column_lists_columns(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("id,review,label\n1,a,pos\n")
    with pytest.raises(DataError) as info:
        read_labelled_table(path, text_col="reviews")
    assert str(info.value) == f"{path}:1: no column 'reviews' (did you mean 'review'?); the columns are: id, review, label"


def test_single_class(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text,label\na,pos\nb,pos\n")
    with pytest.raises(DataError, match=r"one\.csv: column 'label' has a single class 'pos'; a classifier needs at least 2"):
        read_labelled_table(path)


def test_row_field_count_and_empty_label(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('text,label\n"multi\nline",a\nb,c,d\n')
    with pytest.raises(DataError, match=r"bad\.csv:4: expected 2 fields like the header, found 3"):
        read_labelled_table(path)
    path.write_text("text,label\na,x\nb,\n")
    with pytest.raises(DataError, match=r"bad\.csv:3: field 'label' is empty; expected a label"):
        read_labelled_table(path)


def test_jsonl(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "good", "label": 1}\n\n{"text": "bad", "label": 0}\n')
    data = read_labelled_jsonl(path)
    assert (data.texts, data.labels, data.label_names) == (["good", "bad"], [1, 0], ["0", "1"])


def test_jsonl_errors(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "good", "label": 1}\n{"txt": "bad", "label": 0}\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: no field 'text' \(did you mean 'txt'\?\); the fields are: txt, label"):
        read_labelled_jsonl(path)
    path.write_text('{"text": "good", "label": 1}\n{"text": "bad",\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: invalid JSON"):
        read_labelled_jsonl(path)


def test_class_folders(tmp_path):
    for label, name, text in [("pos", "1_9.txt", "loved it"), ("neg", "0_2.txt", "hated it"), ("pos", "0_8.txt", "fine\n")]:
        (tmp_path / label).mkdir(exist_ok=True)
        (tmp_path / label / name).write_text(text)
    (tmp_path / "unsup").mkdir()
    data = read_class_folders(tmp_path)
    assert data.label_names == ["neg", "pos"]
    assert data.texts == ["hated it", "fine", "loved it"]
    assert data.labels == [0, 1, 1]


def test_class_folders_single_class(tmp_path):
    (tmp_path / "pos").mkdir()
    (tmp_path / "pos" / "a.txt").write_text("x")
    with pytest.raises(DataError, match="the class folders has a single class 'pos'"):
        read_class_folders(tmp_path)
