"""The runner equals stepping its cells by hand, for every registered cell.

The oracle here is deliberately plain: for each sample, for each of its valid steps,
call the cell on a batch of one. Nothing of the runner is reused (no masks, no
``reverse_padded``): the backward direction steps over ``x[b, :n].flip(0)`` and its
outputs are flipped back; merges, stacking and initial states are spelled out.
Weights (and learned initial states) are random, never constants, so swapped
directions, layers or state fields show up.
"""

from __future__ import annotations

import pytest
import torch

from rnnlab.cells import CELLS
from rnnlab.layers import Recurrent

B, T, I, H = 3, 4, 2, 3
LENGTHS = torch.tensor([4, 1, 3])  # a full-length, a length-1 and a middle sequence, unsorted


def build(cell: str, **options) -> Recurrent:
    """A float64 reference runner whose every parameter (initial states too) is random."""
    torch.manual_seed(0)
    rnn = Recurrent(cell, I, H, backend="reference", **options).double()
    with torch.no_grad():
        for p in rnn.parameters():
            p.uniform_(-0.8, 0.8)
    return rnn


def first_state(rnn: Recurrent, index: int, b: int, initial_state):
    """The state cell ``index`` starts sample ``b`` from, fields (1, H), built by hand."""
    cell = rnn.cells[index]
    fields = []
    for name in cell.state_type._fields:
        if initial_state is not None:
            value = getattr(initial_state, name)[index, b]  # given: (L*D, B, H)
        elif cell.learn_initial_state:
            value = getattr(cell, f"{name}0")  # learned: (H,)
        else:
            value = torch.zeros(H, dtype=torch.float64)
        fields.append(value[None, :])
    return cell.state_type(*fields)


def step_by_hand(cell, xs: torch.Tensor, state):
    """Step ``cell`` over one sequence ``xs`` (n, I) from ``state`` (fields (1, H)).

    Returns (outputs (n, H), the state after the last step).
    """
    outputs = []
    for x_t in xs:
        state = cell(x_t[None, :], state)
        outputs.append(state[0][0])  # the first field is the output
    return torch.stack(outputs), state


def merge_by_hand(forward: torch.Tensor, backward: torch.Tensor, merge: str) -> torch.Tensor:
    if merge == "concat":
        return torch.cat([forward, backward], dim=-1)
    if merge == "sum":
        return forward + backward
    return (forward + backward) / 2


def run_by_hand(rnn: Recurrent, x: torch.Tensor, lengths, initial_state=None):
    """What the runner must return for ``x`` (B, T, I), computed sample by sample.

    Returns (outputs (B, T, out) zero at padded steps, list of final fields per
    (layer, direction) index, each a state of (B, H) fields).
    """
    c = rnn.config
    D = 2 if c.bidirectional else 1
    outputs = torch.zeros(B, T, rnn.output_size, dtype=torch.float64)
    finals = [[None] * B for _ in range(c.num_layers * D)]
    for b in range(B):
        n = T if lengths is None else int(lengths[b])
        layer_input = x[b, :n]  # (n, I): the valid steps only
        for layer in range(c.num_layers):
            per_direction = []
            for direction in range(D):
                index = layer * D + direction
                state = first_state(rnn, index, b, initial_state)
                xs = layer_input if direction == 0 else layer_input.flip(0)
                out, final = step_by_hand(rnn.cells[index], xs, state)
                per_direction.append(out if direction == 0 else out.flip(0))
                finals[index][b] = final
            if D == 1:
                layer_input = per_direction[0]
            else:
                layer_input = merge_by_hand(*per_direction, c.merge)
        outputs[b, :n] = layer_input
    states = []
    for per_sample in finals:
        fields = zip(*per_sample)  # per field: B tensors of (1, H)
        states.append(type(per_sample[0])(*(torch.cat(f) for f in fields)))
    return outputs, states


def assert_runner_equals_hand(rnn, x, lengths=None, initial_state=None):
    """Run ``rnn`` on ``x`` (batch-first here) and compare everything with the oracle."""
    c = rnn.config
    x_in = x if c.batch_first else x.transpose(0, 1)
    result = rnn(x_in, lengths=lengths, initial_state=initial_state)
    outputs = result.outputs if c.batch_first else result.outputs.transpose(0, 1)
    expected, finals = run_by_hand(rnn, x, lengths, initial_state)

    assert outputs.shape == (B, T, rnn.output_size)
    torch.testing.assert_close(outputs, expected, rtol=1e-10, atol=1e-12)
    if lengths is not None:
        for b in range(B):
            assert torch.all(outputs[b, int(lengths[b]):] == 0.0)

    D = 2 if c.bidirectional else 1
    assert type(result.final_state) is rnn.state_type
    for name in rnn.state_type._fields:
        field = getattr(result.final_state, name)
        assert field.shape == (c.num_layers * D, B, H)
        for index, state in enumerate(finals):
            torch.testing.assert_close(field[index], getattr(state, name), rtol=1e-10, atol=1e-12)


# name -> (runner options, padded?, initial state: "zeros" | "given" | "learned")
CASES = {
    "batch_first": ({"batch_first": True}, False, "zeros"),
    "time_first": ({"batch_first": False}, False, "zeros"),
    "padded": ({}, True, "zeros"),
    "padded_time_first": ({"batch_first": False}, True, "zeros"),
    "reverse_concat": ({"bidirectional": True, "merge": "concat"}, True, "zeros"),
    "reverse_sum": ({"bidirectional": True, "merge": "sum"}, True, "zeros"),
    "reverse_mean": ({"bidirectional": True, "merge": "mean"}, True, "zeros"),
    "stacked": ({"num_layers": 2}, True, "zeros"),
    "stacked_reverse_time_first": (
        {"num_layers": 2, "bidirectional": True, "batch_first": False}, True, "zeros"),
    "given_initial_state": ({"num_layers": 2, "bidirectional": True}, True, "given"),
    "learned_initial_state": (
        {"num_layers": 2, "bidirectional": True, "learn_initial_state": True}, True, "learned"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("cell", list(CELLS))
def test_runner_equals_manual_stepping(cell, case):
    options, padded, init = CASES[case]
    rnn = build(cell, **options)
    torch.manual_seed(1)
    x = torch.randn(B, T, I, dtype=torch.float64)
    initial_state = None
    if init == "given":
        count = rnn.config.num_layers * rnn.num_directions
        fields = [torch.randn(count, B, H, dtype=torch.float64) for _ in rnn.state_type._fields]
        initial_state = rnn.state_type(*fields)
    assert_runner_equals_hand(rnn, x, LENGTHS if padded else None, initial_state)


@pytest.mark.parametrize("cell", list(CELLS))
def test_backward_direction_reads_each_sequence_reversed(cell):
    """Backward output at t is the reversed run's output at n-1-t; its final state is at t=0."""
    rnn = build(cell, bidirectional=True)
    torch.manual_seed(2)
    x = torch.randn(B, T, I, dtype=torch.float64)
    result = rnn(x, lengths=LENGTHS)
    backward_cell = rnn.cells[1]
    for b in range(B):
        n = int(LENGTHS[b])
        reversed_out, _ = step_by_hand(backward_cell, x[b, :n].flip(0),
                                       first_state(rnn, 1, b, None))  # (n, H)
        for t in range(n):
            torch.testing.assert_close(result.outputs[b, t, H:], reversed_out[n - 1 - t],
                                       rtol=1e-10, atol=1e-12)
        # forward's final output is at the last valid step, backward's at step 0
        torch.testing.assert_close(result.final_state[0][0, b], result.outputs[b, n - 1, :H])
        torch.testing.assert_close(result.final_state[0][1, b], result.outputs[b, 0, H:])


@pytest.mark.parametrize("cell", list(CELLS))
def test_sum_and_mean_merges_are_halves_of_concat(cell):
    """With the same weights, sum = fwd + bwd and mean = (fwd + bwd) / 2 of the concat halves."""
    torch.manual_seed(3)
    x = torch.randn(B, T, I, dtype=torch.float64)
    concat = build(cell, bidirectional=True, merge="concat")
    out = concat(x, lengths=LENGTHS).outputs  # (B, T, 2H)
    forward, backward = out[..., :H], out[..., H:]
    for merge, expected in (("sum", forward + backward), ("mean", 0.5 * (forward + backward))):
        other = build(cell, bidirectional=True, merge=merge)
        other.load_state_dict(concat.state_dict())
        result = other(x, lengths=LENGTHS)
        assert result.outputs.shape == (B, T, H)
        torch.testing.assert_close(result.outputs, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", ["lstm", "jordan"])
def test_final_state_layout_is_layer_times_directions(cell):
    """Fields are (L*D, B, H) with index layer*D + direction, like torch.nn.LSTM's h_n."""
    rnn = build(cell, num_layers=2, bidirectional=True)
    torch.manual_seed(4)
    x = torch.randn(B, T, I, dtype=torch.float64)
    final = rnn(x, lengths=LENGTHS).final_state
    assert final._fields == rnn.cells[0].state_type._fields
    for field in final:
        assert field.shape == (4, B, H)
    # each index holds that cell's own final state, run alone from the hand oracle
    _, finals = run_by_hand(rnn, x, LENGTHS)
    for index in range(4):
        for name in final._fields:
            torch.testing.assert_close(getattr(final, name)[index], getattr(finals[index], name))
    # and the layers really differ (a swapped index would be caught above)
    assert not torch.allclose(final[0][0], final[0][2])
