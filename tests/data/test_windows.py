import numpy as np
import pytest
import torch

from rnnlab.data.splits import split_indices
from rnnlab.data.windows import Normalizer, TimeWindows
from rnnlab.errors import DataError


def test_windows_match_hand_computation():
    values = np.arange(10, dtype=np.float32)[:, None] * np.array([[1.0, 100.0]], dtype=np.float32)  # (10, 2)
    windows = TimeWindows(values, lookback=4, delay=1, step=2, target_columns=[1])
    assert list(windows.anchors) == [4, 5, 6, 7, 8]
    first = windows[0]
    assert first.inputs.tolist() == [[0, 0], [2, 200]]  # rows 0 and 2
    assert first.targets.tolist() == [[500]]  # row 4 + 1
    last = windows[len(windows) - 1]
    assert last.inputs[:, 0].tolist() == [4, 6] and last.targets.tolist() == [[900]]


def test_horizon_and_bounds():
    values = np.arange(20, dtype=np.float32)[:, None]
    windows = TimeWindows(values, lookback=3, delay=0, horizon=2, start=5, end=15)
    assert windows.anchors[0] == 8 and windows.anchors[-1] == 13
    assert windows[0].inputs[:, 0].tolist() == [5, 6, 7]
    assert windows[0].targets[:, 0].tolist() == [8, 9]
    touched = {int(v) for w in windows for v in torch.cat([w.inputs, w.targets]).flatten()}
    assert min(touched) == 5 and max(touched) == 14  # never outside [start, end)


def test_windows_batch_with_dataloader():
    windows = TimeWindows(np.random.rand(50, 3), lookback=6, delay=2, step=3)
    batch = next(iter(torch.utils.data.DataLoader(windows, batch_size=4)))
    assert batch.inputs.shape == (4, 2, 3) and batch.targets.shape == (4, 1, 3)


def test_too_short():
    with pytest.raises(DataError, match="no window fits in rows \\[0, 5\\)"):
        TimeWindows(np.zeros((5, 1)), lookback=4, delay=1)


def test_normalisation_fitted_on_train_only():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, (80, 2)), rng.normal(50, 10, (20, 2))])  # later rows shift
    split = split_indices(len(values), fractions=(0.8, 0.1, 0.1), shuffle=False)
    norm = Normalizer.fit(values[split.train])
    np.testing.assert_allclose(norm.mean, values[:80].mean(axis=0))
    assert abs(norm.mean[0] - values.mean(axis=0)[0]) > 5  # the full-data mean would differ
    scaled = norm.transform(values)
    np.testing.assert_allclose(scaled[:80].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled[:80].std(axis=0), 1, atol=1e-12)
    assert scaled[80:].mean() > 10  # test rows are not re-centred
    np.testing.assert_allclose(norm.inverse(scaled), values)
    np.testing.assert_allclose(norm.inverse(scaled[:, [1]], columns=[1]), values[:, [1]])
    restored = Normalizer.from_dict(norm.to_dict())
    np.testing.assert_allclose(restored.transform(values), scaled)
