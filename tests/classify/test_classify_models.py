"""Each task model learns a small synthetic task, and padding never changes its predictions."""

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data import pad_sequences
from rnnlab.evaluation.forecasting import forecast_errors
from rnnlab.models.classifier import ClassifierConfig, SequenceClassifier
from rnnlab.models.forecaster import Forecaster, ForecasterConfig
from rnnlab.models.tagger import IGNORE_INDEX, SequenceTagger, TaggerConfig, tagging_loss


def _sequences(n, seed, vocab=8, low=2, high=10):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(low, high + 1, (n,), generator=g)
    return [torch.randint(1, vocab, (int(k),), generator=g).tolist() for k in lengths]


def _train(model, batches, loss_fn, steps, lr=0.02):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for step in range(steps):
        loss = loss_fn(model, batches[step % len(batches)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


@pytest.mark.parametrize("options", [
    dict(cell="gru", pooling="max"),
    dict(cell="lstm", pooling="attention", bidirectional=True, conv_channels=[16], conv_kernel=3),
])
def test_classifier_learns_hidden_rule(options):
    """Label = whether token 3 occurs anywhere in the sequence (needs memory, any length)."""
    torch.manual_seed(0)
    rule = lambda s: int(3 in s)
    train, test = _sequences(512, 1), _sequences(200, 2)
    model = SequenceClassifier(ClassifierConfig(hidden=16, embed_dim=8, **options), 2, vocab_size=8)
    batches = []
    for i in range(0, len(train), 32):
        chunk = train[i:i + 32]
        padded = pad_sequences(chunk)
        batches.append((padded.tokens, padded.lengths, torch.tensor([rule(s) for s in chunk])))
    _train(model, batches, lambda m, b: F.cross_entropy(m(b[0], b[1]), b[2]), steps=160)
    padded = pad_sequences(test)
    with torch.no_grad():
        predicted = model(padded.tokens, padded.lengths).argmax(-1)
    accuracy = (predicted == torch.tensor([rule(s) for s in test])).float().mean().item()
    assert accuracy >= 0.95


def test_tagger_learns_per_step_rule_and_loss_ignores_padding():
    """Tag at step t = 1 if token t equals token t-1 (needs one step of memory)."""
    torch.manual_seed(0)
    rule = lambda s: [0] + [int(a == b) for a, b in zip(s[1:], s[:-1])]
    train, test = _sequences(512, 3, vocab=4), _sequences(200, 4, vocab=4)
    model = SequenceTagger(TaggerConfig(cell="gru", hidden=16, embed_dim=8), 2, vocab_size=4)
    batches = []
    for i in range(0, len(train), 32):
        chunk = train[i:i + 32]
        padded = pad_sequences(chunk)
        tags = pad_sequences([rule(s) for s in chunk], pad_id=IGNORE_INDEX).tokens
        batches.append((padded.tokens, padded.lengths, tags))
    _train(model, batches, lambda m, b: tagging_loss(m(b[0], b[1]), b[2]), steps=160)
    padded = pad_sequences(test)
    tags = pad_sequences([rule(s) for s in test], pad_id=IGNORE_INDEX).tokens
    with torch.no_grad():
        logits = model(padded.tokens, padded.lengths)
    valid = tags != IGNORE_INDEX
    assert ((logits.argmax(-1) == tags) & valid).sum() / valid.sum() >= 0.97
    # Changing the logits at padded steps does not change the loss.
    noisy = logits.clone()
    noisy[~valid] = 100.0
    assert torch.equal(tagging_loss(logits, tags), tagging_loss(noisy, tags))


def test_forecaster_beats_persistence_on_noisy_sine():
    torch.manual_seed(0)
    t = torch.arange(3000, dtype=torch.float32)
    series = torch.sin(2 * torch.pi * t / 25) + 0.1 * torch.randn(3000)  # (N,)
    lookback, horizon = 30, 5
    anchors = torch.arange(lookback, len(series) - horizon)
    inputs = torch.stack([series[a - lookback:a] for a in anchors]).unsqueeze(-1)  # (W, L, 1)
    targets = torch.stack([series[a:a + horizon] for a in anchors]).unsqueeze(-1)  # (W, H, 1)
    split = 2400
    model = Forecaster(ForecasterConfig(cell="gru", hidden=24), input_size=1, horizon=horizon, target_index=[0])
    batches = [(inputs[i:i + 64], targets[i:i + 64]) for i in range(0, split, 64)]
    _train(model, batches, lambda m, b: F.mse_loss(m(b[0]), b[1]), steps=250, lr=0.01)
    with torch.no_grad():
        predicted = model(inputs[split:])
    model_mae = forecast_errors(predicted, targets[split:]).mae
    persistence_mae = forecast_errors(inputs[split:, -1:, :].expand(-1, horizon, -1), targets[split:]).mae
    assert model_mae < 0.6 * persistence_mae


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
@pytest.mark.parametrize("extra", [dict(), dict(bidirectional=True, layers=2),
                                   dict(conv_channels=[6], conv_kernel=3, conv_pool=2)])
def test_padding_never_changes_classifier_predictions(pooling, extra):
    torch.manual_seed(0)
    model = SequenceClassifier(ClassifierConfig(cell="lstm", hidden=8, embed_dim=6, pooling=pooling, **extra),
                               3, vocab_size=10).eval()
    seqs = _sequences(5, 7, vocab=10, low=1, high=9)
    padded = pad_sequences(seqs, max_len=12)  # extra padding beyond the longest
    with torch.no_grad():
        batch = model(padded.tokens, padded.lengths)
        alone = torch.cat([model(torch.tensor([s]), torch.tensor([len(s)])) for s in seqs])
    assert torch.allclose(batch, alone, atol=1e-5)


def test_padding_never_changes_tagger_predictions():
    torch.manual_seed(0)
    model = SequenceTagger(TaggerConfig(cell="gru", hidden=8, bidirectional=True, conv_channels=[5], conv_kernel=3),
                           4, vocab_size=10).eval()
    seqs = _sequences(5, 8, vocab=10, low=1, high=9)
    padded = pad_sequences(seqs, max_len=11)
    with torch.no_grad():
        batch = model(padded.tokens, padded.lengths)
        for b, s in enumerate(seqs):
            alone = model(torch.tensor([s]), torch.tensor([len(s)]))[0]
            assert torch.allclose(batch[b, :len(s)], alone, atol=1e-5)


def test_attention_weights_zero_on_padding_inside_the_classifier():
    model = SequenceClassifier(ClassifierConfig(cell="gru", hidden=8, pooling="attention"), 2, vocab_size=10).eval()
    padded = pad_sequences([[1, 2, 3, 4, 5], [6, 7]])
    model(padded.tokens, padded.lengths)
    assert torch.all(model.last_attention[1, 2:] == 0.0)


def test_numeric_feature_classifier_and_config_errors():
    from rnnlab.errors import ConfigError

    model = SequenceClassifier(ClassifierConfig(cell="elman", hidden=4), 2, input_size=3)
    assert model(torch.randn(2, 5, 3), torch.tensor([5, 2])).shape == (2, 2)
    with pytest.raises(ConfigError, match="did you mean 'lstm'"):
        ClassifierConfig(cell="lstn")
    with pytest.raises(ConfigError, match="conv_pool must be 1"):
        TaggerConfig(conv_channels=[4], conv_pool=2)
