"""Sequence to sequence with attention (Bahdanau et al. 2015; Luong et al. 2015).

The encoder reads the padded source; the decoder writes the target one token at a
time, attending over the encoder outputs at every step::

    encoder:   k_1..k_S, final = Recurrent(embed_src(x))        any cell, (bi)directional, stacked
    bridge:    s_0 = tanh(W_f [final_fwd; final_bwd])           per state field (h, and c for LSTMs), per layer
    decoder:   s_t = Recurrent-step([embed_tgt(y_{t-1}); h~_{t-1}], s_{t-1})   (input feeding)
               c_t, a_t = attention(top(s_t), k_1..k_S, mask)   a_t is 0 at padded source positions
               h~_t = tanh(W_c [top(s_t); c_t])                 Luong's attentional vector
               p(y_t | y_<t, x) = softmax(W_o h~_t)

Every attention type scores with the *current* decoder state as query (Luong's
placement); ``bahdanau`` changes only the score function to ``v^T tanh(W_q q + W_k k)``.
Without input feeding the decoder input is only the previous token's embedding.

Training uses teacher forcing: the gold previous token is fed with probability
``teacher_forcing_ratio`` (1.0 = always; scheduled sampling feeds the model's own
argmax otherwise, per sequence and step). In eval mode the ratio is always 1.

Step-wise decoding (:mod:`rnnlab.decoding`) uses three methods: :meth:`Seq2Seq.encode`,
:meth:`Seq2Seq.decode_step` and :meth:`Seq2Seq.reorder` (beam search).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells import CELLS
from rnnlab.config import check_fields, require_at_least
from rnnlab.data.vocab import PAD_ID
from rnnlab.errors import ConfigError, unknown_choice
from rnnlab.layers import Recurrent
from rnnlab.nn.attention import make_attention


@dataclass
class Seq2SeqConfig:
    """The ``[model]`` section of a seq2seq run."""

    cell: str = "gru"  # any registered rnnlab cell, for encoder and decoder
    embedding_size: int = 256  # E, source and target token embeddings
    hidden_size: int = 256  # H, units of each encoder direction and of the decoder
    num_layers: int = 1  # stacked layers in the encoder and in the decoder
    bidirectional: bool = True  # encoder reads both ways
    encoder_merge: Literal["concat", "sum"] = "concat"  # how encoder directions combine (keys 2H or H)
    attention: Literal["bahdanau", "dot", "general"] = "bahdanau"  # score function
    attention_size: int | None = None  # bahdanau tanh-layer width (None: hidden_size)
    input_feeding: bool = True  # feed the previous attentional vector h~ into the decoder
    dropout: float = 0.2  # on embeddings, between layers and before the output layer
    share_embeddings: bool = False  # one embedding for source and target (needs data.shared_vocab)
    teacher_forcing: float = 1.0  # probability of feeding the gold previous token at the start
    teacher_forcing_final: float | None = None  # ratio reached linearly at the last step (None: constant)
    backend: str = "auto"  # runner engine: auto | fused | reference

    def __post_init__(self) -> None:
        check_fields(self)
        if self.cell not in CELLS:
            raise unknown_choice("cell", self.cell, CELLS)
        require_at_least(self, ("embedding_size", "hidden_size", "num_layers"), prefix="model.")
        if self.attention_size is not None and self.attention_size < 1:
            raise ConfigError(f"model.attention_size must be >= 1 or 'none', got {self.attention_size}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"model.dropout must be in [0, 1), got {self.dropout}")
        for name in ("teacher_forcing", "teacher_forcing_final"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ConfigError(f"model.{name} must be in [0, 1], got {value}")


class EncoderMemory(NamedTuple):
    """What the decoder attends over, one row per sequence (beam search reorders rows)."""

    keys: torch.Tensor  # (B, S, K) encoder outputs, zeros at padding
    prepared: torch.Tensor  # (B, S, .) the attention's key-only part, computed once
    mask: torch.Tensor  # (B, S) bool, True at real source tokens


class DecoderState(NamedTuple):
    """The decoder's recurrent state and its input feed."""

    rnn: Any  # the cell's state type; each field (num_layers, B, H)
    feed: torch.Tensor  # (B, H) previous attentional vector h~ (zeros before the first step)


class DecoderStep(NamedTuple):
    """One decoder step for a batch."""

    logits: torch.Tensor  # (B, V) next-token scores
    state: DecoderState
    attention: torch.Tensor  # (B, S) attention weights used at this step


class Seq2SeqOutput(NamedTuple):
    logits: torch.Tensor  # (B, T, V)
    attention: torch.Tensor  # (B, T, S)


class Bridge(nn.Module):
    """Initial decoder state from the encoder's final state: ``tanh(W_f [fwd; bwd])`` per field.

    Handles bidirectional -> unidirectional (the two directions are concatenated
    before the map) and multi-field states such as LSTM ``(h, c)`` (one map per field).
    """

    def __init__(self, fields: tuple[str, ...], num_layers: int, num_directions: int,
                 encoder_hidden: int, decoder_hidden: int):
        super().__init__()
        self.num_layers, self.num_directions = num_layers, num_directions
        self.maps = nn.ModuleDict({f: nn.Linear(num_directions * encoder_hidden, decoder_hidden) for f in fields})

    def forward(self, final_state: Any) -> Any:
        fields = []
        for name, field in zip(final_state._fields, final_state):  # field (L*D, B, He)
            L, D = self.num_layers, self.num_directions
            both = field.view(L, D, *field.shape[1:]).permute(0, 2, 1, 3).flatten(2)  # (L, B, D*He)
            fields.append(torch.tanh(self.maps[name](both)))  # (L, B, Hd)
        return type(final_state)(*fields)


class Seq2Seq(nn.Module):
    """Attentional encoder-decoder over token ids.

    Args:
        src_vocab_size, tgt_vocab_size: vocabulary sizes (id 0 is padding).
        the rest: as :class:`Seq2SeqConfig`.

    Example::

        >>> model = Seq2Seq(10, 12, cell="lstm", embedding_size=8, hidden_size=16)
        >>> src = torch.tensor([[4, 5, 6], [7, 8, 0]]); lengths = torch.tensor([3, 2])
        >>> out = model(src, lengths, tgt_in=torch.tensor([[2, 4], [2, 5]]))
        >>> out.logits.shape, out.attention.shape
        (torch.Size([2, 2, 12]), torch.Size([2, 2, 3]))
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, cell: str = "gru",
                 embedding_size: int = 256, hidden_size: int = 256, num_layers: int = 1,
                 bidirectional: bool = True, encoder_merge: str = "concat", attention: str = "bahdanau",
                 attention_size: int | None = None, input_feeding: bool = True, dropout: float = 0.2,
                 share_embeddings: bool = False, teacher_forcing: float = 1.0, backend: str = "auto"):
        super().__init__()
        if share_embeddings and src_vocab_size != tgt_vocab_size:
            raise ConfigError(f"model.share_embeddings needs one shared vocabulary; got sizes "
                              f"{src_vocab_size} and {tgt_vocab_size} (set data.shared_vocab = true)")
        self.tgt_vocab_size, self.input_feeding, self.dropout = tgt_vocab_size, input_feeding, dropout
        self.teacher_forcing_ratio = teacher_forcing
        self.src_embed = nn.Embedding(src_vocab_size, embedding_size, padding_idx=PAD_ID)
        self.tgt_embed = self.src_embed if share_embeddings else nn.Embedding(
            tgt_vocab_size, embedding_size, padding_idx=PAD_ID)
        self.encoder = Recurrent(cell, embedding_size, hidden_size, num_layers=num_layers,
                                 bidirectional=bidirectional, merge=encoder_merge, dropout=dropout,
                                 backend=backend)
        num_directions = 2 if bidirectional else 1
        self.bridge = Bridge(self.encoder.state_type._fields, num_layers, num_directions, hidden_size, hidden_size)
        decoder_input = embedding_size + (hidden_size if input_feeding else 0)
        self.decoder = Recurrent(cell, decoder_input, hidden_size, num_layers=num_layers, dropout=dropout,
                                 backend=backend)
        key_size = self.encoder.output_size
        self.attention = make_attention(attention, hidden_size, key_size, attention_size or hidden_size)
        self.combine = nn.Linear(hidden_size + key_size, hidden_size, bias=False)  # W_c
        self.generator = nn.Linear(hidden_size, tgt_vocab_size)  # W_o

    @classmethod
    def from_config(cls, config: Seq2SeqConfig, src_vocab_size: int, tgt_vocab_size: int) -> "Seq2Seq":
        return cls(src_vocab_size, tgt_vocab_size, cell=config.cell, embedding_size=config.embedding_size,
                   hidden_size=config.hidden_size, num_layers=config.num_layers,
                   bidirectional=config.bidirectional, encoder_merge=config.encoder_merge,
                   attention=config.attention, attention_size=config.attention_size,
                   input_feeding=config.input_feeding, dropout=config.dropout,
                   share_embeddings=config.share_embeddings, teacher_forcing=config.teacher_forcing,
                   backend=config.backend)

    # ----------------------------------------------------------------------------- steps

    def encode(self, src: torch.Tensor, src_lengths: torch.Tensor) -> tuple[EncoderMemory, DecoderState]:
        """src (B, S) ids, src_lengths (B,) -> the memory to attend over and the first decoder state."""
        embedded = F.dropout(self.src_embed(src), self.dropout, self.training)  # (B, S, E)
        out = self.encoder(embedded, lengths=src_lengths)
        keys = out.outputs  # (B, S, K)
        mask = torch.arange(src.shape[1], device=src.device)[None, :] < src_lengths.to(src.device)[:, None]
        memory = EncoderMemory(keys, self.attention.prepare(keys), mask)
        rnn_state = self.bridge(out.final_state)  # fields (L, B, H)
        feed = keys.new_zeros(src.shape[0], self.combine.out_features)
        return memory, DecoderState(rnn_state, feed)

    def decode_step(self, prev_tokens: torch.Tensor, state: DecoderState, memory: EncoderMemory) -> DecoderStep:
        """One step: previous tokens (B,) -> logits (B, V) for the next ones."""
        x = F.dropout(self.tgt_embed(prev_tokens), self.dropout, self.training)  # (B, E)
        if self.input_feeding:
            x = torch.cat([x, state.feed], dim=-1)  # (B, E + H)
        out = self.decoder(x.unsqueeze(1), initial_state=state.rnn)
        top = out.outputs[:, 0]  # (B, H) the top layer's new state
        attended = self.attention(top, memory.keys, memory.mask, memory.prepared)
        attentional = torch.tanh(self.combine(torch.cat([top, attended.context], dim=-1)))  # h~ (B, H)
        logits = self.generator(F.dropout(attentional, self.dropout, self.training))  # (B, V)
        return DecoderStep(logits, DecoderState(out.final_state, attentional), attended.weights)

    @staticmethod
    def reorder(memory: EncoderMemory, state: DecoderState, index: torch.Tensor) -> tuple[EncoderMemory, DecoderState]:
        """Rows ``index`` (N,) of memory and state (beam search expands and reorders hypotheses)."""
        memory = EncoderMemory(*(t.index_select(0, index) for t in memory))
        rnn = type(state.rnn)(*(f.index_select(1, index) for f in state.rnn))  # fields (L, B, H)
        return memory, DecoderState(rnn, state.feed.index_select(0, index))

    # ----------------------------------------------------------------------------- training

    def forward(self, src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor) -> Seq2SeqOutput:
        """Teacher-forced decoding of ``tgt_in`` (B, T) (``<bos> y_1 .. y_{T-1}``, padded).

        Returns logits (B, T, V) for ``y_1 .. y_T`` and the attention weights (B, T, S).
        """
        memory, state = self.encode(src, src_lengths)
        ratio = self.teacher_forcing_ratio if self.training else 1.0
        logits, weights = [], []
        prev = tgt_in[:, 0]
        for t in range(tgt_in.shape[1]):
            if t > 0:
                prev = tgt_in[:, t]
                if ratio < 1.0:  # scheduled sampling: sometimes feed the model's own guess
                    own = logits[-1].detach().argmax(-1)
                    gold = torch.rand(prev.shape, device=prev.device) < ratio
                    prev = torch.where(gold, prev, own)
            step = self.decode_step(prev, state, memory)
            state = step.state
            logits.append(step.logits)
            weights.append(step.attention)
        return Seq2SeqOutput(torch.stack(logits, 1), torch.stack(weights, 1))
