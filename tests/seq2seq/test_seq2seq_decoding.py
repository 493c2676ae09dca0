"""Decoding behaviour: beam 1 = greedy, sorted n-best, repeat blocking, EOS, min length, sampling."""

import pytest
import torch

from rnnlab.data.vocab import BOS_ID, EOS_ID
from rnnlab.decoding.beam_search import beam_search, length_penalty
from rnnlab.decoding.greedy import banned_tokens, greedy_decode, sample_decode
from rnnlab.errors import ConfigError
from rnnlab.models.seq2seq import Seq2Seq

V = 8


class BigramModel:
    """A step model whose next-token log-probabilities depend only on the previous token."""

    def __init__(self, table):
        self.table = torch.log_softmax(torch.as_tensor(table, dtype=torch.float), -1)  # (V, V)

    def encode(self, src, lengths):
        return src, torch.zeros(src.shape[0], 1)

    def decode_step(self, prev, state, memory):
        return self.table[prev], state + 1, torch.ones(prev.shape[0], memory.shape[1])

    def reorder(self, memory, state, index):
        return memory.index_select(0, index), state.index_select(0, index)


def table(prefer):
    """prefer[prev] = {token: logit}; the rest -5."""
    t = torch.full((V, V), -5.0)
    for prev, row in prefer.items():
        for token, logit in row.items():
            t[prev, token] = logit
    return t


SRC, LENGTHS = torch.tensor([[4, 5, 6], [6, 7, 0]]), torch.tensor([3, 2])


def random_model(seed):
    torch.manual_seed(seed)
    return Seq2Seq(V, V, cell="gru", embedding_size=8, hidden_size=16).eval()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_beam_size_one_equals_greedy(seed):
    model = random_model(seed)
    for min_len in (0, 3):
        greedy = greedy_decode(model, SRC, LENGTHS, max_len=12, min_len=min_len)
        beam = beam_search(model, SRC, LENGTHS, beam_size=1, max_len=12, min_len=min_len, alpha=0.0)
        assert [h.tokens for h in greedy] == [n[0].tokens for n in beam]
        for g, (b,) in zip(greedy, beam):
            assert g.log_prob == pytest.approx(b.log_prob, abs=1e-5)
            assert g.finished == b.finished


@pytest.mark.parametrize("seed", [0, 1])
def test_n_best_is_sorted_by_score_and_distinct(seed):
    nbest = beam_search(random_model(seed), SRC, LENGTHS, beam_size=6, n_best=5, max_len=8, alpha=0.6)
    for hypotheses in nbest:
        assert len(hypotheses) == 5
        scores = [h.score for h in hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert len({tuple(h.tokens) for h in hypotheses}) == 5
        for h in hypotheses:  # the score is the GNMT-normalised log-probability
            steps = len(h.tokens) + (1 if h.finished else 0)
            assert h.score == pytest.approx(h.log_prob / length_penalty(steps, 0.6), rel=1e-5)


def test_beam_finds_what_greedy_misses():
    # greedy takes 4 (0.6) then must pay for a bad continuation; 5 (0.4) leads to a sure <eos>
    model = BigramModel(table({BOS_ID: {4: 0.0, 5: -0.4}, 4: {6: 0.0, 7: 0.0, EOS_ID: 0.0, 4: 0.0},
                               5: {EOS_ID: 5.0}}))
    src, lengths = torch.tensor([[4]]), torch.tensor([1])
    assert greedy_decode(model, src, lengths, max_len=5)[0].tokens[0] == 4
    assert beam_search(model, src, lengths, beam_size=2, max_len=5, alpha=0.0)[0][0].tokens == [5]


def test_repeat_blocking_blocks():
    loop = BigramModel(table({BOS_ID: {4: 2.0}, 4: {4: 3.0, 5: 1.0}, 5: {4: 3.0, 5: 2.0, 6: 1.0},
                              6: {4: 3.0, 7: 1.0}, 7: {4: 3.0, EOS_ID: 1.0}}))
    src, lengths = torch.tensor([[4]]), torch.tensor([1])
    assert greedy_decode(loop, src, lengths, max_len=6)[0].tokens == [4] * 6
    for n in (1, 2, 3):
        for tokens in ([h.tokens for h in greedy_decode(loop, src, lengths, max_len=12, no_repeat_ngram=n)],
                       [beam_search(loop, src, lengths, beam_size=3, max_len=12, no_repeat_ngram=n)[0][0].tokens]):
            grams = [tuple(tokens[0][i:i + n]) for i in range(len(tokens[0]) - n + 1)]
            assert len(grams) == len(set(grams)), (n, tokens)
    assert banned_tokens([4, 5, 4], 2) == [5] and banned_tokens([4, 5], 1) == [4, 5]


def test_a_hypothesis_ends_at_eos():
    # after <eos> the model would love to keep going; nothing may follow
    model = BigramModel(table({BOS_ID: {4: 1.0}, 4: {EOS_ID: 3.0}, EOS_ID: {6: 9.0}}))
    src, lengths = torch.tensor([[4], [5]]), torch.tensor([1, 1])
    for h in greedy_decode(model, src, lengths, max_len=8):
        assert h.tokens == [4] and h.finished and h.attention.shape[0] == 2  # 4 and <eos>
    for (h,) in beam_search(model, src, lengths, beam_size=3, max_len=8):
        assert h.tokens == [4] and h.finished
    unfinished = greedy_decode(BigramModel(table({BOS_ID: {4: 1.0}, 4: {4: 1.0}})), src, lengths, max_len=3)
    assert unfinished[0].tokens == [4, 4, 4] and not unfinished[0].finished


def test_min_length_is_respected():
    eager = BigramModel(table({BOS_ID: {EOS_ID: 9.0, 4: 0.0}, 4: {EOS_ID: 9.0, 5: 0.0}, 5: {EOS_ID: 9.0, 4: 0.0}}))
    src, lengths = torch.tensor([[4]]), torch.tensor([1])
    assert greedy_decode(eager, src, lengths, max_len=9)[0].tokens == []
    for min_len in (1, 3, 5):
        assert len(greedy_decode(eager, src, lengths, max_len=9, min_len=min_len)[0].tokens) == min_len
        nbest = beam_search(eager, src, lengths, beam_size=3, n_best=3, max_len=9, min_len=min_len)[0]
        assert all(len(h.tokens) >= min_len for h in nbest)
        assert len(nbest[0].tokens) == min_len and nbest[0].finished


def test_sampling_stays_in_top_k_and_first_top_k():
    flat = BigramModel(torch.arange(V, dtype=torch.float).repeat(V, 1) * 0.1)  # 7 best, then 6, 5, ...
    src = torch.tensor([[4]] * 200)
    lengths = torch.ones(200, dtype=torch.long)
    g = torch.Generator().manual_seed(0)
    out = sample_decode(flat, src, lengths, top_k=2, first_top_k=3, max_len=4, generator=g)
    firsts = {h.tokens[0] for h in out if h.tokens}
    later = {t for h in out for t in h.tokens[1:]}
    assert firsts <= {5, 6, 7} and 5 in firsts
    assert later <= {6, 7}
    cold = sample_decode(flat, src[:20], lengths[:20], temperature=1e-4, max_len=3, generator=g)
    assert all(h.tokens == [7, 7, 7] for h in cold)
    nucleus = sample_decode(flat, src, lengths, top_p=0.01, max_len=2, generator=g)
    assert all(h.tokens == [7, 7] for h in nucleus)


def test_bad_decoding_options_are_one_line_errors():
    model = random_model(0)
    for call, message in [
        (lambda: beam_search(model, SRC, LENGTHS, beam_size=0), "beam size must be >= 1"),
        (lambda: beam_search(model, SRC, LENGTHS, beam_size=2, n_best=3), "n_best must be in"),
        (lambda: greedy_decode(model, SRC, LENGTHS, max_len=3, min_len=4), "min_len must be in"),
        (lambda: sample_decode(model, SRC, LENGTHS, temperature=0), "temperature must be > 0"),
        (lambda: sample_decode(model, SRC, LENGTHS, top_p=0), "top_p must be in"),
    ]:
        with pytest.raises(ConfigError, match=message):
            call()
