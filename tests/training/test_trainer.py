"""The Trainer: learning, exact resume, signals, divergence, early stopping, logs."""

from __future__ import annotations

import json
import math
import os
import signal

import pytest
import torch

from rnnlab.errors import CheckpointError, ConfigError
from rnnlab.training import Trainer, TrainConfig, TrainingDiverged, load_checkpoint
from rnnlab.training.run_log import read_log

from tiny_models import (UNIFORM_LM_LOSS, ClassifyTask, LMTask, TinyClassifier, TinyLM,
                         batches_of, classification_data, lm_stream, lm_windows)

TRAIN = classification_data(64, seed=0)
VALID = classification_data(48, seed=1)
STREAM = lm_stream(seed=0)
VALID_STREAM = lm_stream(seed=1)


def config(tmp_path, **changes) -> TrainConfig:
    base = dict(device="cpu", progress=False, plot=False, out_dir=str(tmp_path / "run"), log_every=1)
    return TrainConfig(**{**base, **changes})


def classifier_trainer(cfg: TrainConfig, callbacks=(), vocab=None) -> Trainer:
    torch.manual_seed(0)
    return Trainer(TinyClassifier(), ClassifyTask(), cfg, lambda epoch: batches_of(TRAIN, 16, epoch),
                   lambda: batches_of(VALID, 16, None), callbacks=callbacks, vocab=vocab)


def lm_trainer(cfg: TrainConfig, callbacks=()) -> Trainer:
    torch.manual_seed(0)
    return Trainer(TinyLM(), LMTask(), cfg, lambda epoch: lm_windows(STREAM, 8),
                   lambda: lm_windows(VALID_STREAM, 8), callbacks=callbacks, item_name="tokens")


def recorder(losses: list, stop_at: int | None = None, signum: int | None = None):
    """Callback collecting each step's loss; optionally stops (or signals) at a step."""

    def callback(trainer, info):
        losses.append(info.loss)
        if info.step == stop_at:
            if signum is None:
                trainer.request_stop("interrupted (test)")
            else:
                os.kill(os.getpid(), signum)

    return callback


# ----------------------------------------------------------------------------- learning


def test_classifier_learns_beyond_chance(tmp_path):
    cfg = config(tmp_path, lr=0.03, epochs=30, log_every=4)
    result = classifier_trainer(cfg).fit()
    assert result.stop_reason == "epochs" and result.steps == 30 * 4
    # Chance is ln 3 = 1.10 loss and 1/3 accuracy; an untrained model cannot get near these.
    final = result.history[-1]
    assert final["loss"] < 0.45, final
    assert final["accuracy"] > 0.85, final
    assert result.best_metric <= final["loss"] and result.best_checkpoint.exists()


def test_language_model_with_carried_state_learns(tmp_path):
    cfg = config(tmp_path, optimizer="sgd", lr=1.0, momentum=0.5, clip_norm=1.0, epochs=12, bptt=8)
    result = lm_trainer(cfg).fit()
    assert result.history[-1]["loss"] < 0.25 * UNIFORM_LM_LOSS, result.history[-1]


# ----------------------------------------------------------------------------- exact resume


def run_losses(make, cfg, stop_at=None, resume=None, signum=None):
    losses: list[float] = []
    trainer = make(cfg, callbacks=[recorder(losses, stop_at, signum)])
    result = trainer.fit(resume=resume)
    return losses, result


@pytest.mark.parametrize("stop_at", [3, 8])  # mid-epoch, and exactly at an epoch end
def test_resume_classifier_matches_uninterrupted_run(tmp_path, stop_at):
    settings = dict(lr=0.01, epochs=4, schedule="plateau", plateau_patience=1, eval_every=3,
                    weight_decay=1e-4, clip_value=0.5)
    full, full_result = run_losses(classifier_trainer, config(tmp_path / "a", **settings))
    cfg = config(tmp_path / "b", **settings)
    first, interrupted = run_losses(classifier_trainer, cfg, stop_at=stop_at)
    assert interrupted.stop_reason == "interrupted (test)" and interrupted.steps == stop_at
    rest, resumed = run_losses(classifier_trainer, cfg, resume=interrupted.last_checkpoint)
    assert first + rest == full  # bit for bit
    assert len(full) == 16
    assert resumed.history == full_result.history
    assert resumed.best_metric == full_result.best_metric
    logged = [r["loss"] for r in read_log(resumed.log_path) if r["kind"] == "train"]
    assert logged == full


def test_resume_tbptt_language_model_matches_uninterrupted_run(tmp_path):
    settings = dict(optimizer="sgd", lr=0.5, momentum=0.9, nesterov=True, clip_norm=1.0, epochs=3,
                    schedule="warmup_cosine", warmup_steps=4, min_lr=0.01)
    full, _ = run_losses(lm_trainer, config(tmp_path / "a", **settings))
    cfg = config(tmp_path / "b", **settings)
    first, interrupted = run_losses(lm_trainer, cfg, stop_at=13)  # inside epoch 2 (10 per epoch)
    saved = load_checkpoint(interrupted.last_checkpoint)
    assert saved.meta["progress"]["batch_in_epoch"] == 3
    assert saved.meta["carried_state"]["namedtuple"][1] == "LMState"
    rest, _ = run_losses(lm_trainer, cfg, resume=interrupted.last_checkpoint)
    assert len(full) == 30
    assert first + rest == full


def test_resume_continues_from_periodic_checkpoint(tmp_path):
    """A hard kill leaves the last periodic checkpoint; resuming from it and the logs
    after it (which are dropped) reproduce the uninterrupted run."""
    settings = dict(lr=0.01, epochs=2, checkpoint_every=3, schedule="epoch_decay", lr_decay=0.5)
    full, _ = run_losses(classifier_trainer, config(tmp_path / "a", **settings))
    cfg = config(tmp_path / "b", **settings)
    _, killed = run_losses(classifier_trainer, cfg, stop_at=5)  # logs reach step 5
    # The kill came before step 5's save: only the periodic checkpoint of step 3 is left.
    checkpoint = killed.last_checkpoint.with_name("step3.safetensors")
    _, partial = run_losses(classifier_trainer, config(tmp_path / "c", **settings), stop_at=3)
    os.replace(partial.last_checkpoint, checkpoint)
    rest, resumed = run_losses(classifier_trainer, cfg, resume=checkpoint)
    assert full[:3] + rest == full
    logged = [r["loss"] for r in read_log(resumed.log_path) if r["kind"] == "train"]
    assert logged == full  # records of steps 4-5 from the "killed" run were dropped


# ----------------------------------------------------------------------------- signals


def test_sigterm_saves_checkpoint_restores_handler_and_resumes(tmp_path):
    settings = dict(lr=0.01, epochs=2)
    full, _ = run_losses(classifier_trainer, config(tmp_path / "a", **settings))
    cfg = config(tmp_path / "b", **settings)
    before = signal.getsignal(signal.SIGTERM)
    first, result = run_losses(classifier_trainer, cfg, stop_at=5, signum=signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before
    assert result.stop_reason == "interrupted (SIGTERM)"
    assert load_checkpoint(result.last_checkpoint).meta["progress"]["step"] == 5
    rest, _ = run_losses(classifier_trainer, cfg, resume=result.last_checkpoint)
    assert first + rest == full


# ----------------------------------------------------------------------------- failures


class NanAfter(ClassifyTask):
    def __init__(self, bad_step: int):
        self.calls, self.bad_step = 0, bad_step

    def loss(self, model, batch, state):
        self.calls += 1
        out = super().loss(model, batch, state)
        if self.calls == self.bad_step:
            out.loss = out.loss * float("nan")
        return out


def test_nan_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    cfg = config(tmp_path, lr=0.01, epochs=3, checkpoint_every=3, eval_every=100)
    torch.manual_seed(0)
    trainer = Trainer(TinyClassifier(), NanAfter(bad_step=8), cfg, lambda e: batches_of(TRAIN, 16, e))
    with pytest.raises(TrainingDiverged) as error:
        trainer.fit()
    message = str(error.value)
    assert "loss became nan at step 8" in message
    assert f"last good checkpoint: {trainer.last_path} (step 6)" in message
    saved = load_checkpoint(trainer.last_path)
    assert saved.meta["progress"]["step"] == 6
    assert all(torch.isfinite(t).all() for t in saved.model_state.values())


def test_vocab_mismatch_on_resume_says_what_differs(tmp_path):
    cfg = config(tmp_path, lr=0.01, epochs=1)
    vocab = {"<unk>": 0, "a": 1, "b": 2}
    result = classifier_trainer(cfg, vocab=vocab).fit()
    other = {"<unk>": 0, "a": 2, "c": 1}
    with pytest.raises(CheckpointError) as error:
        classifier_trainer(cfg, vocab=other).fit(resume=result.last_checkpoint)
    message = str(error.value)
    assert str(result.last_checkpoint) in message
    assert "1 tokens only in checkpoint ('b')" in message and "1 tokens only now ('c')" in message
    assert "'a': 1 vs 2" in message


def test_model_shape_mismatch_names_parameter(tmp_path):
    result = classifier_trainer(config(tmp_path, epochs=1)).fit()
    trainer = Trainer(TinyClassifier(hidden=20), ClassifyTask(), config(tmp_path, epochs=1),
                      lambda e: batches_of(TRAIN, 16, e))
    with pytest.raises(CheckpointError, match=r"parameter 'rnn.weight_ih_l0' has shape \(48, 8\) "
                                              r"in the checkpoint but \(60, 8\) in the model"):
        trainer.load(result.last_checkpoint)


def test_early_stopping_after_patience(tmp_path):
    class Worsening(ClassifyTask):
        evals = 0

        def evaluate(self, model, batches):
            self.evals += 1
            return {"loss": float(self.evals)}  # never improves after the first

    cfg = config(tmp_path, epochs=50, early_stopping_patience=3)
    trainer = Trainer(TinyClassifier(), Worsening(), cfg, lambda e: batches_of(TRAIN, 16, e),
                      lambda: batches_of(VALID, 16, None))
    result = trainer.fit()
    assert result.stop_reason == "early_stopping"
    assert result.epochs == 4 and result.best_metric == 1.0 and result.best_step == 4


def test_max_steps_and_monitor_errors(tmp_path):
    result = classifier_trainer(config(tmp_path, max_steps=6, epochs=10)).fit()
    assert result.stop_reason == "max_steps" and result.steps == 6
    with pytest.raises(ConfigError, match="train.monitor: validation gave no metric 'bleu'"):
        classifier_trainer(config(tmp_path, epochs=1, monitor="bleu")).fit()
    with pytest.raises(ConfigError, match="amp = true needs a CUDA device"):
        classifier_trainer(config(tmp_path, amp=True))


# ----------------------------------------------------------------------------- logs


def test_logs_jsonl_csv_and_config(tmp_path):
    cfg = config(tmp_path, epochs=2, log_every=2, eval_every=3)
    result = classifier_trainer(cfg).fit()
    records = read_log(result.log_path)
    train = [r for r in records if r["kind"] == "train"]
    evals = [r for r in records if r["kind"] == "eval"]
    assert [r["step"] for r in train] == [2, 4, 6, 8]
    assert [r["step"] for r in evals] == [3, 6]
    assert {"loss", "lr", "items_per_s", "grad_norm", "accuracy", "epoch"} <= set(train[0])
    rows = (result.log_path.parent / "train.csv").read_text().splitlines()
    assert rows[0].split(",")[:3] == ["step", "epoch", "loss"] and len(rows) == 5
    assert json.loads(json.dumps(records)) == records
    assert "[train]" in (result.log_path.parent / "config.toml").read_text()


def test_loss_plot_written(tmp_path):
    pytest.importorskip("matplotlib")
    result = classifier_trainer(config(tmp_path, epochs=1, plot=True)).fit()
    png = result.log_path.parent / "loss.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_tensorboard_warns_and_continues(tmp_path, capsys):
    try:
        import torch.utils.tensorboard  # noqa: F401
        pytest.skip("tensorboard is installed")
    except ImportError:
        pass
    result = classifier_trainer(config(tmp_path, epochs=1, tensorboard=True)).fit()
    assert result.steps == 4
    assert "tensorboard package is not installed" in capsys.readouterr().err


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("amp_dtype", ["float16", "bfloat16"])
def test_cuda_amp_fit_and_resume(tmp_path, amp_dtype):
    cfg = config(tmp_path, device="cuda", amp=True, amp_dtype=amp_dtype, lr=0.02, epochs=3)
    result = classifier_trainer(cfg).fit()
    assert math.isfinite(result.best_metric)
    trainer = classifier_trainer(cfg)
    trainer.load(result.last_checkpoint)
    assert next(trainer.model.parameters()).is_cuda and trainer.step == 12
