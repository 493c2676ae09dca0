"""Data pipeline: tokenizers, vocabulary, readers for real formats, batching, corpora.

Modules, one concept each:

- :mod:`~rnnlab.data.files` -- safe text reading (empty, binary, invalid UTF-8 errors)
- :mod:`~rnnlab.data.tokenizers`, :mod:`~rnnlab.data.bpe` -- text -> tokens -> text
- :mod:`~rnnlab.data.vocab` -- tokens <-> ids with fixed special tokens
- :mod:`~rnnlab.data.text` -- plain text as sequences or one stream
- :mod:`~rnnlab.data.labelled` -- CSV / TSV / JSONL / folder-per-class classification data
- :mod:`~rnnlab.data.conll` -- token-tagged text (CoNLL, CoNLL-U)
- :mod:`~rnnlab.data.parallel` -- sentence pairs for translation
- :mod:`~rnnlab.data.timeseries`, :mod:`~rnnlab.data.windows` -- CSV series, gaps, windows, normalisation
- :mod:`~rnnlab.data.token_file` -- large corpora encoded once to a memory-mappable file
- :mod:`~rnnlab.data.batching`, :mod:`~rnnlab.data.bptt`, :mod:`~rnnlab.data.splits` -- batches and splits
- :mod:`~rnnlab.data.sources` -- registry, download, cache
- :mod:`~rnnlab.data.config` -- :class:`DataConfig`
"""

from rnnlab.data.batching import PaddedBatch, bucket_batches, pad_sequences
from rnnlab.data.bpe import BPETokenizer
from rnnlab.data.bptt import BPTTBatch, ContiguousBatches, sliding_windows
from rnnlab.data.config import DataConfig
from rnnlab.data.conll import TaggedSentences, read_conll, read_conllu
from rnnlab.data.files import iter_lines, read_text
from rnnlab.data.labelled import LabelledTexts, read_class_folders, read_labelled_jsonl, read_labelled_table
from rnnlab.data.parallel import SentencePairs, read_parallel_files, read_parallel_tsv
from rnnlab.data.sources import SOURCES, cache_dir, download_file, fetch
from rnnlab.data.splits import Split, split_indices
from rnnlab.data.text import read_sequences, read_stream
from rnnlab.data.timeseries import TimeSeries, read_time_series_csv
from rnnlab.data.token_file import TokenFile, TokenFileReader, encode_token_file, open_token_file
from rnnlab.data.tokenizers import CharTokenizer, Tokenizer, WhitespaceTokenizer, WordTokenizer, split_sentences
from rnnlab.data.vocab import BOS, BOS_ID, EOS, EOS_ID, PAD, PAD_ID, SPECIAL_TOKENS, UNK, UNK_ID, Vocab
from rnnlab.data.windows import Normalizer, TimeWindows, Window

__all__ = [
    "BOS", "BOS_ID", "BPETokenizer", "BPTTBatch", "CharTokenizer", "ContiguousBatches", "DataConfig",
    "EOS", "EOS_ID", "LabelledTexts", "Normalizer", "PAD", "PAD_ID", "PaddedBatch", "SOURCES",
    "SPECIAL_TOKENS", "SentencePairs", "Split", "TaggedSentences", "TimeSeries", "TimeWindows",
    "TokenFile", "TokenFileReader", "Tokenizer", "UNK", "UNK_ID", "Vocab", "WhitespaceTokenizer",
    "Window", "WordTokenizer", "bucket_batches", "cache_dir", "download_file", "encode_token_file",
    "fetch", "iter_lines", "open_token_file", "pad_sequences", "read_class_folders", "read_conll",
    "read_conllu", "read_labelled_jsonl", "read_labelled_table", "read_parallel_files",
    "read_parallel_tsv", "read_sequences", "read_stream", "read_text", "read_time_series_csv",
    "sliding_windows", "split_indices", "split_sentences",
]
