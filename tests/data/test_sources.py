import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from rnnlab.data.sources import SOURCES, DatasetSource, RemoteFile, cache_dir, download_file, fetch
from rnnlab.errors import ConfigError, DataError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PAYLOAD = b"hello corpus\n" * 1000


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1 and record every requested path."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "small.txt").write_bytes(PAYLOAD)
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root, requests
    httpd.shutdown()
    httpd.server_close()


def registry(base, sha):
    return {"tiny": DatasetSource("test", (RemoteFile("small.txt", f"{base}/small.txt", sha),), "read_text")}


def test_download_verify_and_cache_hit(server, tmp_path):
    base, _, requests = server
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    paths = fetch("tiny", cache=tmp_path / "cache", registry=registry(base, sha), progress=False)
    assert paths == [tmp_path / "cache" / "tiny" / "small.txt"]
    assert paths[0].read_bytes() == PAYLOAD
    assert requests == ["/small.txt"]
    again = fetch("tiny", cache=tmp_path / "cache", registry=registry(base, sha), progress=False)
    assert again == paths and requests == ["/small.txt"]  # cache hit: no second request
    assert not list((tmp_path / "cache" / "tiny").glob("*.part"))


def test_checksum_mismatch_not_kept(server, tmp_path):
    base, _, _ = server
    wrong = "0" * 64
    with pytest.raises(DataError) as info:
        fetch("tiny", cache=tmp_path / "cache", registry=registry(base, wrong), progress=False)
    message = str(info.value)
    assert message == (
        f"{base}/small.txt: sha256 mismatch: expected {wrong}, got {hashlib.sha256(PAYLOAD).hexdigest()}; "
        "the file was not kept"
    )
    assert list((tmp_path / "cache" / "tiny").iterdir()) == []


def test_corrupt_cached_file_is_downloaded_again(server, tmp_path):
    base, _, requests = server
    target = tmp_path / "cache" / "small.txt"
    target.parent.mkdir()
    target.write_bytes(b"truncated")
    download_file(f"{base}/small.txt", target, hashlib.sha256(PAYLOAD).hexdigest(), progress=False)
    assert target.read_bytes() == PAYLOAD and requests == ["/small.txt"]


def test_unreachable_and_missing(server, tmp_path):
    base, _, _ = server
    with pytest.raises(DataError, match=r"/nope\.txt: download failed \(HTTP 404 "):
        download_file(f"{base}/nope.txt", tmp_path / "x.txt", progress=False)
    assert not (tmp_path / "x.txt").exists()


def test_unknown_dataset_suggests():
    with pytest.raises(ConfigError, match="unknown dataset 'tinyshakespear' \\(did you mean 'tinyshakespeare'\\?\\)"):
        fetch("tinyshakespear")


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path / "env"))
    assert cache_dir() == tmp_path / "env"
    assert cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("RNNLAB_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "rnnlab"


def test_registry_entries_are_well_formed():
    for name, source in SOURCES.items():
        assert source.files, name
        for file in source.files:
            assert file.url.startswith(("https://", "http://")) and file.filename
            assert file.sha256 is None or (len(file.sha256) == 64 and int(file.sha256, 16) >= 0)


@pytest.mark.skipif(not (SHARED / "tinyshakespeare" / "input.txt").is_file(), reason="shared/data/tinyshakespeare not present")
def test_real_registry_checksum_via_local_mirror(server, tmp_path):
    base, root, requests = server
    (root / "input.txt").write_bytes((SHARED / "tinyshakespeare" / "input.txt").read_bytes())
    [path] = fetch("tinyshakespeare", cache=tmp_path / "cache", mirror=base, progress=False)
    assert path.stat().st_size == 1115394 and requests == ["/input.txt"]
