"""Peak memory of encoding a corpus into a token file and streaming BPTT batches from it.

Generates a text file of ``--size-mb`` megabytes (random words, Zipf-like
frequencies) unless ``--text`` names one, then:

1. builds the vocabulary by counting tokens line by line,
2. encodes the file into a memory-mapped token file (rnnlab.data.token_file),
3. streams every contiguous BPTT batch from it (TokenFileReader, flat memory).

Prints one JSON object with the file size and the peak RSS (``resource.getrusage``,
ru_maxrss) after imports and after each stage. Loading the same corpus into RAM as
a Python token list would take several times the file size.

    python bench/data_stream_rss.py --size-mb 50
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from rnnlab.data.bptt import ContiguousBatches  # noqa: E402
from rnnlab.data.files import iter_lines  # noqa: E402
from rnnlab.data.token_file import encode_token_file, open_token_file  # noqa: E402
from rnnlab.data.tokenizers import WhitespaceTokenizer  # noqa: E402
from rnnlab.data.vocab import Vocab  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10  # bytes on macOS, KiB on Linux


def generate_corpus(path: Path, size_bytes: int, vocab_size: int = 5000, seed: int = 0) -> None:
    """Write random sentences until the file reaches ``size_bytes`` (streamed, bounded memory)."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab_size)])
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < size_bytes:
            ids = np.minimum(rng.zipf(1.3, size=(1000, 12)) - 1, vocab_size - 1)
            block = "\n".join(" ".join(words[row]) for row in ids) + "\n"
            handle.write(block)
            written += len(block)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=20.0, help="size of the generated corpus")
    parser.add_argument("--text", type=Path, help="use this text file instead of generating one")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--bptt", type=int, default=35)
    args = parser.parse_args(argv)

    result = {"rss_after_imports_mb": peak_rss_mb()}
    with tempfile.TemporaryDirectory() as folder:
        text = args.text or Path(folder) / "corpus.txt"
        if args.text is None:
            generate_corpus(text, int(args.size_mb * 2**20))
        result["text_mb"] = os.path.getsize(text) / 2**20
        result["rss_after_generate_mb"] = peak_rss_mb()
        tokenizer = WhitespaceTokenizer()

        counts: Counter = Counter()
        for _, line in iter_lines(text):
            counts.update(tokenizer.tokenize(line))
        vocab = Vocab.build(counts)
        for _ in ContiguousBatches(list(range(1000)), args.batch_size, args.bptt):
            pass  # warm-up: torch's one-time allocations are not the corpus's
        result["rss_after_vocab_mb"] = peak_rss_mb()

        start = time.perf_counter()
        header = encode_token_file(text, Path(folder) / "corpus.tokens", tokenizer, vocab)
        result["encode_s"] = time.perf_counter() - start
        result["tokens"] = header.length
        result["rss_after_encode_mb"] = peak_rss_mb()

        start = time.perf_counter()
        tokens = open_token_file(Path(folder) / "corpus.tokens", vocab=vocab).reader()
        checksum = 0
        for batch in ContiguousBatches(tokens, args.batch_size, args.bptt):
            checksum += int(batch.targets[:, -1].sum())
        result["stream_s"] = time.perf_counter() - start
        result["rss_after_stream_mb"] = peak_rss_mb()
        result["checksum"] = checksum
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
