"""Train a language model from an :class:`~rnnlab.lm.config.LMExperiment`, end to end.

1. read and encode the corpus (:func:`rnnlab.lm.corpus.load_corpus`);
2. seed, build the model (:class:`rnnlab.models.language_model.LanguageModel`);
3. hand model, task and batches to the shared :class:`rnnlab.training.Trainer`;
4. reload the best checkpoint and report validation (and test) loss and a sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rnnlab.config import config_to_dict
from rnnlab.data import BOS_ID, EOS_ID
from rnnlab.errors import CheckpointError
from rnnlab.lm.config import LMExperiment
from rnnlab.lm.corpus import LMCorpus, load_corpus, make_tokenizer
from rnnlab.lm.evaluation import mean_loss
from rnnlab.lm.generation import Sampling, generate, generate_lines
from rnnlab.lm.task import BatchPlan, LanguageModelling
from rnnlab.models.language_model import LanguageModel
from rnnlab.training import FitResult, Trainer, load_checkpoint, seed_everything


@dataclass
class LMTrainResult:
    fit: FitResult
    model: LanguageModel  # with the best weights loaded, eval mode
    corpus: LMCorpus
    valid_loss: float  # nats per token on the validation part
    test_loss: float | None  # on the test part, if there is one
    engine: str  # what ran in training, e.g. "fused (plain LSTM is torch.nn.LSTM's math)"
    sample: str  # generated text
    run_dir: Path


def train_language_model(experiment: LMExperiment, resume: bool = False,
                         say: Callable[[str], None] = print) -> LMTrainResult:
    """Run the whole experiment; ``say`` receives the progress messages."""
    cfg, train_cfg = experiment, experiment.train
    corpus = load_corpus(cfg.data)
    say(f"corpus: {corpus.source} ({cfg.data.level}-level, {cfg.data.mode} mode)")
    say(f"  vocabulary {len(corpus.vocab)} | train {corpus.num_tokens(corpus.train):,} tokens | "
        f"valid {corpus.num_tokens(corpus.valid):,} | test {corpus.num_tokens(corpus.test):,}")
    seed_everything(train_cfg.seed)  # the initial weights repeat for a seed
    model = LanguageModel.from_config(cfg.model, len(corpus.vocab))
    engine = model.rnn.engine(training=True)
    parameters = sum(p.numel() for p in model.parameters())
    say(f"model: {cfg.model.num_layers} x {cfg.model.cell} {cfg.model.hidden_size} hidden, "
        f"embedding {cfg.model.embedding_size}, {parameters:,} parameters | "
        f"engine: {engine.engine} ({engine.reason})")
    plan = BatchPlan(cfg.data.mode, corpus.train, corpus.valid, train_cfg.batch_size,
                     train_cfg.bptt, train_cfg.seed)
    trainer = Trainer(model, LanguageModelling(), train_cfg, plan.train_batches, plan.valid_batches,
                      vocab=list(corpus.vocab.tokens), run_config=config_to_dict(cfg), item_name="tokens")
    resume_from = None
    if resume:
        resume_from = trainer.last_path
        if not resume_from.is_file():
            raise CheckpointError(f"{resume_from}: nothing to resume (no last checkpoint in {trainer.out_dir})")
    fit = trainer.fit(resume=resume_from)
    ran = model.rnn.last_engine
    engine_text = f"{ran.engine} ({ran.reason})" if ran else f"{engine.engine} ({engine.reason})"
    best = fit.best_checkpoint or fit.last_checkpoint
    if best is not None:
        model.load_state_dict(load_checkpoint(best).model_state)
    model.eval()
    valid_loss, _ = mean_loss(model, corpus.valid, cfg.data.mode, train_cfg.batch_size, train_cfg.bptt or 64)
    test_loss = (mean_loss(model, corpus.test, cfg.data.mode, train_cfg.batch_size, train_cfg.bptt or 64)[0]
                 if corpus.num_tokens(corpus.test) > 1 else None)
    text = sample_text(model, corpus, cfg)
    return LMTrainResult(fit, model, corpus, valid_loss, test_loss, engine_text, text, trainer.out_dir)


def sample_text(model: LanguageModel, corpus: LMCorpus, cfg: LMExperiment) -> str:
    """The text ``[sample]`` asks for: lines (poetry style) or a continuation of the prompt."""
    s = cfg.sample
    tokenizer = make_tokenizer(cfg.data)
    vocab = corpus.vocab
    sampling = Sampling(s.temperature, s.top_k, s.top_p, allow_unk=False, seed=s.seed)
    prompt = vocab.encode(tokenizer.tokenize(s.prompt))
    line_end = vocab.token_to_id("\n") if cfg.data.level == "char" and cfg.data.mode == "stream" else EOS_ID
    if s.lines > 0:
        lines = generate_lines(model, s.lines, line_end, sampling, prompt,
                               restart_each_line=cfg.data.mode != "stream")
        return "\n".join(tokenizer.detokenize(vocab.decode(line)) for line in lines)
    start = prompt or ([line_end] if cfg.data.mode == "stream" else [])
    if cfg.data.mode != "stream":
        start = [BOS_ID] + prompt
    ids = generate(model, start, s.max_tokens, sampling,
                   stop_ids=[EOS_ID] if cfg.data.mode != "stream" else [])
    words = vocab.decode(prompt + ids, skip_special=False)
    words = ["\n" if w == "<eos>" else w for w in words if w not in ("<bos>", "<pad>")]
    return tokenizer.detokenize(words)
