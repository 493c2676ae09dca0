"""Using a trained seq2seq run: :class:`Translator` rebuilds the model from its run folder
and translates, samples replies, scores perplexity; :func:`plot_attention` draws one
sentence's attention weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from rnnlab.config import config_from_dict
from rnnlab.data import PAD_ID, SentencePairs, Vocab, pad_sequences
from rnnlab.errors import DataError
from rnnlab.models.seq2seq import Seq2Seq
from rnnlab.tasks.seq2seq import Seq2SeqExperiment, TextCodec, batches, encode_pairs
from rnnlab.plotting import load_pyplot


@dataclass
class Translation:
    """One output sentence."""

    text: str
    tokens: list[str]
    score: float
    source_tokens: list[str]
    attention: torch.Tensor | None  # (target steps, source tokens)


class Translator:
    """A trained seq2seq model with its vocabularies and text handling."""

    def __init__(self, model: Seq2Seq, experiment: Seq2SeqExperiment, src_vocab: Vocab, tgt_vocab: Vocab,
                 batch_size: int = 64):
        self.model, self.experiment = model.eval(), experiment
        self.src_vocab, self.tgt_vocab, self.batch_size = src_vocab, tgt_vocab, batch_size
        self.codec = TextCodec(experiment.data.lowercase, experiment.data.strip_accents)
        self.device = next(model.parameters()).device

    @classmethod
    def from_run(cls, run: str | Path, device: str = "cpu") -> "Translator":
        from rnnlab.runs import open_run
        from rnnlab.training.checkpoint import load_model_state

        saved = open_run(run, "seq2seq", device=device)
        experiment = config_from_dict(Seq2SeqExperiment, saved.config)
        src_vocab, tgt_vocab = Vocab(saved.vocab["src"]), Vocab(saved.vocab["tgt"])
        model = Seq2Seq.from_config(experiment.model, len(src_vocab), len(tgt_vocab)).to(device)
        load_model_state(model, saved.model_state, saved.checkpoint)
        return cls(model, experiment, src_vocab, tgt_vocab)

    def _source_batch(self, texts: list[str]) -> tuple[list[list[str]], torch.Tensor, torch.Tensor]:
        tokens = [self.codec.tokenize(t) for t in texts]
        for text, toks in zip(texts, tokens):
            if not toks:
                raise DataError(f"cannot translate {text!r}: it has no tokens")
        padded = pad_sequences([self.src_vocab.encode(t) for t in tokens])
        return tokens, padded.tokens.to(self.device), padded.lengths.to(self.device)

    def _outputs(self, hypotheses, source_tokens) -> list[Translation]:
        out = []
        for h in hypotheses:
            words = self.tgt_vocab.decode(h.tokens)
            attention = None if h.attention is None else h.attention[:, :len(source_tokens)]
            out.append(Translation(self.codec.detokenize(words), words, h.score, source_tokens, attention))
        return out

    def translate(self, texts: list[str], beam_size: int | None = None, n_best: int = 1,
                  **options) -> list[list[Translation]]:
        """The ``n_best`` translations of each text, best first; options override ``[decode]``."""
        from rnnlab.decoding.beam_search import beam_search

        d = self.experiment.decode
        beam = d.beam_size if beam_size is None else beam_size
        settings = {"max_len": d.max_len, "min_len": d.min_len, "alpha": d.alpha,
                    "no_repeat_ngram": d.no_repeat_ngram, **options}
        results = []
        for start in range(0, len(texts), self.batch_size):
            tokens, src, lengths = self._source_batch(texts[start:start + self.batch_size])
            decoded = beam_search(self.model, src, lengths, beam_size=beam, n_best=n_best, **settings)
            results += [self._outputs(h, t) for h, t in zip(decoded, tokens)]
        return results

    def sample(self, texts: list[str], generator: torch.Generator | None = None, **options) -> list[Translation]:
        """One sampled reply per text (temperature / top-k / top-p; defaults from ``[decode]``)."""
        from rnnlab.decoding.greedy import sample_decode

        d = self.experiment.decode
        settings = {"temperature": d.temperature, "top_k": d.top_k, "top_p": d.top_p,
                    "first_top_k": d.first_top_k, "max_len": d.max_len, "min_len": d.min_len,
                    "no_repeat_ngram": d.no_repeat_ngram, **options}
        tokens, src, lengths = self._source_batch(texts)
        decoded = sample_decode(self.model, src, lengths, generator=generator, **settings)
        return [self._outputs([h], t)[0] for h, t in zip(decoded, tokens)]

    @torch.no_grad()
    def perplexity(self, pairs: SentencePairs) -> tuple[float, int]:
        """Teacher-forced perplexity of the targets (``<eos>`` included) and the token count."""
        from rnnlab.evaluation.translation import perplexity

        items = encode_pairs(pairs, self.codec, self.src_vocab, self.tgt_vocab)
        nll, count = 0.0, 0
        for src, lengths, tgt_in, tgt_out in batches(items, self.batch_size, 0, shuffle=False):
            logits = self.model(src.to(self.device), lengths.to(self.device), tgt_in.to(self.device)).logits
            nll += F.cross_entropy(logits.flatten(0, 1), tgt_out.to(self.device).flatten(),
                                   ignore_index=PAD_ID, reduction="sum").item()
            count += int((tgt_out != PAD_ID).sum())
        return perplexity(nll, count), count


def plot_attention(translation: Translation, path: str | Path) -> Path:
    """Heatmap of one translation's attention weights: target steps down, source tokens across."""
    plt = load_pyplot("--attention-plot", required=True)
    weights = translation.attention.numpy()  # (steps, S)
    rows = translation.tokens + ["<eos>"] * (weights.shape[0] - len(translation.tokens))
    figure, axes = plt.subplots(figsize=(1 + 0.6 * weights.shape[1], 1 + 0.5 * weights.shape[0]))
    axes.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0)
    axes.set_xticks(range(weights.shape[1]), translation.source_tokens, rotation=60, ha="right")
    axes.set_yticks(range(weights.shape[0]), rows)
    axes.set_xlabel("source")
    axes.set_ylabel("output")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return Path(path)


# ============================================================================ commands
