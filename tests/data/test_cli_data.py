import argparse
import http.server
import threading

import pytest

from rnnlab.cli import data as data_cli
from rnnlab.errors import ConfigError, DataError


def parse(argv):
    parser = argparse.ArgumentParser(prog="rnnlab")
    data_cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_list(capsys, tmp_path):
    (tmp_path / "ptb").mkdir()
    (tmp_path / "ptb" / "ptb.valid.txt").write_text("x")
    args = parse(["data", "list", "--cache", str(tmp_path)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "tinyshakespeare" in out and "ptb.valid.txt*" in out and "ptb.train.txt," in out


def test_get_from_mirror(capsys, tmp_path):
    content = (tmp_path / "www")
    content.mkdir()
    (content / "questions-words.txt").write_bytes(b"not the real file\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(content), **k)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        args = parse(["data", "get", "word_analogy", "--cache", str(tmp_path / "c"),
                      "--url", f"http://127.0.0.1:{httpd.server_address[1]}", "--quiet"])
        # The registry pins the real file's sha256, so a fake mirror copy is refused.
        with pytest.raises(DataError, match="questions-words.txt: sha256 mismatch: expected 8c29b333"):
            args.func(args)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_get_unknown_name():
    args = parse(["data", "get", "pbt"])
    with pytest.raises(ConfigError, match="unknown dataset 'pbt' \\(did you mean 'ptb'\\?\\)"):
        args.func(args)
