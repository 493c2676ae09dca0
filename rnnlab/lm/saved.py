"""A trained language model read back from its run folder, ready to generate or evaluate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnlab.config import config_from_dict
from rnnlab.data import Vocab
from rnnlab.errors import CheckpointError
from rnnlab.lm.config import LMExperiment
from rnnlab.lm.corpus import make_tokenizer
from rnnlab.models.language_model import LanguageModel
from rnnlab.runs import open_run
from rnnlab.training.checkpoint import load_model_state


@dataclass
class SavedLanguageModel:
    """Everything a command needs: the model (eval mode), vocabulary, tokenizer and config."""

    model: LanguageModel
    vocab: Vocab
    tokenizer: object
    config: LMExperiment
    checkpoint: Path

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (unknown tokens -> ``<unk>``)."""
        return self.vocab.encode(self.tokenizer.tokenize(text))

    def decode(self, ids: list[int]) -> str:
        """Text of ``ids`` (special tokens dropped, except ``<unk>``)."""
        return self.tokenizer.detokenize(self.vocab.decode(ids))


def load_language_model(run: str | Path, which: str = "best", device: str = "cpu") -> SavedLanguageModel:
    """Open ``run`` (a run folder or checkpoint file of task "lm") and rebuild its model."""
    saved = open_run(run, "lm", which=which, device=device)
    config = config_from_dict(LMExperiment, saved.config)
    if not isinstance(saved.vocab, list):
        raise CheckpointError(f"{saved.checkpoint}: expected the vocabulary as a token list")
    vocab = Vocab(saved.vocab)
    model = LanguageModel.from_config(config.model, len(vocab))
    load_model_state(model, saved.model_state, saved.checkpoint)
    model.to(device).eval()
    return SavedLanguageModel(model, vocab, make_tokenizer(config.data), config, saved.checkpoint)
