import re

import pytest

from rnnlab.data.files import iter_lines, read_text
from rnnlab.errors import DataError


def test_lines_numbered_crlf_and_bom_removed(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbffirst\r\nsecond\n\nfourth")
    assert list(iter_lines(path)) == [(1, "first"), (2, "second"), (3, ""), (4, "fourth")]
    assert read_text(path) == "first\nsecond\n\nfourth"


def test_read_text_keeps_final_newline(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x\ny\n")
    assert read_text(path) == "x\ny\n"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"^.*empty\.txt: file is empty; expected text$"):
        list(iter_lines(path))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="nope.txt: file not found"):
        read_text(tmp_path / "nope.txt")


def test_binary_file(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"ok line\nab\x00cd\n")
    with pytest.raises(DataError) as info:
        read_text(path)
    assert str(info.value) == f"{path}:2: binary data (NUL byte at byte 3 of the line); expected a UTF-8 text file"


def test_invalid_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("fine\ncaf\u00e9 ok\n".encode("latin-1"))
    with pytest.raises(DataError) as info:
        read_text(path)
    message = str(info.value)
    assert re.fullmatch(rf"{re.escape(str(path))}:2: invalid UTF-8 at byte 4 of the line .*errors='replace'", message)
    assert "\n" not in message


def test_invalid_utf8_replace(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9\n".encode("latin-1"))
    assert read_text(path, errors="replace") == "caf\ufffd\n"
