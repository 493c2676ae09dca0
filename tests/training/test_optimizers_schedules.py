"""Optimizers by name, gradient clipping, and hand-computed learning-rate schedules."""

from __future__ import annotations

import json
import math

import pytest
import torch

from rnnlab.errors import ConfigError
from rnnlab.training import TrainConfig, build_optimizer, clip_gradients
from rnnlab.training.schedules import (EpochDecay, HalveOnRise, ReduceOnPlateau, WarmupCosine,
                                       schedule_from_config)


def sgd(lr: float = 1.0) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


@pytest.mark.parametrize("name, cls, key, value", [
    ("sgd", torch.optim.SGD, "momentum", 0.9),
    ("adam", torch.optim.Adam, "betas", (0.8, 0.99)),
    ("adamw", torch.optim.AdamW, "weight_decay", 0.01),
    ("rmsprop", torch.optim.RMSprop, "momentum", 0.9),
    ("adagrad", torch.optim.Adagrad, "eps", 1e-6),
])
def test_build_optimizer_by_name(name, cls, key, value):
    params = [torch.nn.Parameter(torch.zeros(2))]
    opt = build_optimizer(params, name, 0.1, momentum=0.9, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)
    assert type(opt) is cls and opt.param_groups[0]["lr"] == 0.1
    assert tuple(opt.param_groups[0][key]) == value if key == "betas" else opt.param_groups[0][key] == value


def test_nesterov_and_unknown_name():
    opt = build_optimizer([torch.nn.Parameter(torch.zeros(1))], "sgd", 0.1, momentum=0.9, nesterov=True)
    assert opt.param_groups[0]["nesterov"] is True
    with pytest.raises(ConfigError, match=r"unknown optimizer 'adma' \(did you mean 'adam'\?\)"):
        build_optimizer([torch.nn.Parameter(torch.zeros(1))], "adma", 0.1)


def grads_of(*values: list[float]) -> list[torch.nn.Parameter]:
    params = []
    for v in values:
        p = torch.nn.Parameter(torch.zeros(len(v)))
        p.grad = torch.tensor(v)
        params.append(p)
    return params


def test_clip_by_norm_bounds_global_norm_and_keeps_direction():
    params = grads_of([3.0, 0.0], [0.0, 4.0])  # global norm 5
    before = clip_gradients(params, max_norm=1.0)
    assert before == pytest.approx(5.0)
    after = torch.cat([p.grad for p in params])
    assert after.norm().item() <= 1.0 + 1e-5
    assert torch.allclose(after, torch.tensor([0.6, 0.0, 0.0, 0.8]), atol=1e-5)
    small = grads_of([0.1, 0.2])
    clip_gradients(small, max_norm=1.0)
    assert torch.equal(small[0].grad, torch.tensor([0.1, 0.2]))  # under the limit: untouched


def test_clip_by_value_then_norm():
    params = grads_of([10.0, -0.5, -7.0])
    clip_gradients(params, max_value=1.0)
    assert torch.equal(params[0].grad, torch.tensor([1.0, -0.5, -1.0]))
    params = grads_of([10.0, -10.0])
    clip_gradients(params, max_norm=1.0, max_value=2.0)  # value first: (2, -2), then norm 1
    assert params[0].grad.norm().item() == pytest.approx(1.0, abs=1e-5)


def lrs(opt):
    return opt.param_groups[0]["lr"]


def test_epoch_decay():
    opt = sgd()
    schedule = EpochDecay(opt, 0.5)
    seen = []
    for epoch in range(3):
        seen.append(lrs(opt))
        schedule.after_epoch(epoch)
    assert seen + [lrs(opt)] == [1.0, 0.5, 0.25, 0.125]


def test_halve_when_validation_loss_rises():
    opt = sgd()
    schedule = HalveOnRise(opt)
    seen = []
    for loss in [3.0, 2.0, 2.5, 2.4, 2.6, 2.6]:
        schedule.after_eval(loss)
        seen.append(lrs(opt))
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_reduce_on_plateau_with_floor():
    opt = sgd()
    schedule = ReduceOnPlateau(opt, factor=0.1, patience=2, min_lr=0.005)
    seen = []
    for loss in [1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.8, 0.85, 0.86, 0.9, 0.9]:
        schedule.after_eval(loss)
        seen.append(lrs(opt))
    expected = [1.0, 1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005]
    assert seen == pytest.approx(expected)


def test_warmup_cosine():
    opt = sgd(lr=2.0)
    schedule = WarmupCosine(opt, warmup_steps=2, total_steps=6, min_lr=0.0)
    seen = []
    for step in range(1, 8):
        schedule.before_step(step)
        seen.append(lrs(opt))
    c = math.cos(math.pi / 4)
    expected = [1.0, 2.0, 1.0 + c, 1.0, 1.0 - c, 0.0, 0.0]
    assert seen == pytest.approx(expected, abs=1e-12)


def test_schedule_state_round_trip_through_json():
    opt = sgd()
    schedule = ReduceOnPlateau(opt, factor=0.5, patience=2)
    for loss in [1.0, 1.1, 1.2, 1.3]:
        schedule.after_eval(loss)
    state = json.loads(json.dumps(schedule.state_dict()))
    opt2 = sgd()
    restored = ReduceOnPlateau(opt2, factor=0.5, patience=2)
    restored.load_state_dict(state)
    assert lrs(opt2) == lrs(opt) == 0.5
    for s in (schedule, restored):
        s.after_eval(1.4)
    assert lrs(opt2) == lrs(opt) == 0.25  # bad-eval counter was restored too


def test_schedule_from_config():
    opt = sgd()
    assert schedule_from_config(opt, TrainConfig(schedule="epoch_decay", lr_decay=0.9999)).decay == 0.9999
    with pytest.raises(ConfigError, match="warmup_cosine' needs train.max_steps"):
        schedule_from_config(opt, TrainConfig(schedule="warmup_cosine"), total_steps=None)
    cosine = schedule_from_config(opt, TrainConfig(schedule="warmup_cosine", warmup_steps=3), 10)
    assert (cosine.warmup_steps, cosine.total_steps) == (3, 10)
