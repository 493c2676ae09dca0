"""Word vectors from a language model's embedding: neighbours, analogies, export, plots.

Analogies "a is to b as c is to d" (questions-words order ``a b c d``) pick the word
d* that maximises, over the vocabulary without a, b and c (Levy & Goldberg 2014):

- **3CosAdd**: ``cos(d, b) - cos(d, a) + cos(d, c)`` (= cosine with b - a + c after
  normalising each vector); with ``metric="euclidean"``: ``-||d - (b - a + c)||`` on
  the raw vectors (seed 000's Euclidean distance);
- **3CosMul**: ``cos'(d, b) cos'(d, c) / (cos'(d, a) + 0.001)`` with
  ``cos' = (cos + 1) / 2`` (shifted to [0, 1]); it lets no single term dominate.

Seed 000's ``king - man + woman`` is ``a = man, b = king, c = woman``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from rnnlab.data import SPECIAL_TOKENS, iter_lines
from rnnlab.errors import ConfigError, DataError, unknown_choice
from rnnlab.plotting import load_pyplot

METHODS = ("3cosadd", "3cosmul")
METRICS = ("cosine", "euclidean")
MUL_EPSILON = 1e-3  # Levy & Goldberg's epsilon in 3CosMul


class WordVectors:
    """Words and their vectors (N, E); ``index[word]`` is the row.

    Example::

        >>> wv = WordVectors(["king", "queen"], torch.randn(2, 8))
        >>> wv.vector("queen").shape
        torch.Size([8])
    """

    def __init__(self, words: Sequence[str], vectors: torch.Tensor):
        if len(words) != vectors.shape[0]:
            raise ConfigError(f"{len(words)} words but {vectors.shape[0]} vectors")
        self.words = list(words)
        self.vectors = vectors.detach().float()  # (N, E)
        self.index = {word: i for i, word in enumerate(self.words)}
        self.unit = F.normalize(self.vectors, dim=1)  # (N, E) unit length

    @classmethod
    def from_embedding(cls, tokens: Sequence[str], weight: torch.Tensor) -> "WordVectors":
        """The rows of an embedding matrix (V, E), without the special tokens."""
        keep = [i for i, token in enumerate(tokens) if token not in SPECIAL_TOKENS]
        return cls([tokens[i] for i in keep], weight.detach()[keep])

    def vector(self, word: str) -> torch.Tensor:
        if word not in self.index:
            raise ConfigError(f"word {word!r} is not in the vocabulary of {len(self.words)} words")
        return self.vectors[self.index[word]]


def neighbors(wv: WordVectors, word: str, k: int = 10, metric: str = "cosine") -> list[tuple[str, float]]:
    """The ``k`` nearest words to ``word`` (itself excluded): (word, cosine similarity
    or Euclidean distance), best first."""
    _check(metric=metric)
    row = wv.index.get(word)
    if row is None:
        raise ConfigError(f"word {word!r} is not in the vocabulary of {len(wv.words)} words")
    if metric == "cosine":
        scores = wv.unit @ wv.unit[row]  # (N,) higher is nearer
    else:
        scores = -(wv.vectors - wv.vectors[row]).norm(dim=1)  # (N,) minus the distance
    scores[row] = -float("inf")
    best = torch.topk(scores, min(k, len(wv.words) - 1)).indices.tolist()
    sign = 1.0 if metric == "cosine" else -1.0
    return [(wv.words[i], sign * float(scores[i])) for i in best]


def analogy_scores(wv: WordVectors, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor,
                   method: str = "3cosadd", metric: str = "cosine") -> torch.Tensor:
    """Scores (Q, N) of every word as the answer d to Q questions a:b :: c:d (rows ids (Q,));
    higher is better; the question words themselves get -inf."""
    _check(method, metric)
    if method == "3cosadd" and metric == "euclidean":
        target = wv.vectors[b] - wv.vectors[a] + wv.vectors[c]  # (Q, E)
        scores = -torch.cdist(target, wv.vectors)  # (Q, N)
    else:
        cos_a, cos_b, cos_c = (wv.unit[ids] @ wv.unit.T for ids in (a, b, c))  # (Q, N) each
        if method == "3cosadd":
            scores = cos_b - cos_a + cos_c
        else:
            shift = [(cos + 1) / 2 for cos in (cos_a, cos_b, cos_c)]
            scores = shift[1] * shift[2] / (shift[0] + MUL_EPSILON)
    rows = torch.arange(len(a))
    for ids in (a, b, c):
        scores[rows, ids] = -float("inf")  # never answer with a question word
    return scores


def analogy(wv: WordVectors, a: str, b: str, c: str, method: str = "3cosadd", metric: str = "cosine",
            k: int = 1) -> list[tuple[str, float]]:
    """The ``k`` best d for "a is to b as c is to d", (word, score) best first."""
    ids = [torch.tensor([wv.index[w]]) if w in wv.index else None for w in (a, b, c)]
    missing = [w for w, i in zip((a, b, c), ids) if i is None]
    if missing:
        raise ConfigError(f"not in the vocabulary: {', '.join(repr(w) for w in missing)}")
    scores = analogy_scores(wv, *ids, method=method, metric=metric)[0]
    best = torch.topk(scores, min(k, len(wv.words) - 3)).indices.tolist()
    return [(wv.words[i], float(scores[i])) for i in best]


@dataclass
class AnalogyReport:
    """Accuracy on a questions-words file; skipped questions are counted, not hidden."""

    correct: int = 0
    answered: int = 0  # questions with all four words in the vocabulary
    skipped: int = 0  # questions with an unknown word
    sections: dict[str, list[int]] = field(default_factory=dict)  # name -> [correct, answered, skipped]

    @property
    def total(self) -> int:
        return self.answered + self.skipped

    @property
    def accuracy(self) -> float:
        """Correct / answered (what gensim reports)."""
        return self.correct / self.answered if self.answered else 0.0

    @property
    def coverage(self) -> float:
        return self.answered / self.total if self.total else 0.0

    def summary(self) -> str:
        return (f"accuracy {100 * self.accuracy:.2f}% ({self.correct}/{self.answered} answered) | "
                f"skipped {self.skipped} of {self.total} questions for unknown words "
                f"({100 * (1 - self.coverage):.1f}%); over all questions {100 * self.correct / max(self.total, 1):.2f}%")


def read_questions(path: str | Path, lowercase: bool = False) -> list[tuple[str, list[str]]]:
    """``[(section, [a, b, c, d]), ...]`` from a questions-words file (``: section`` lines)."""
    questions, section = [], "(none)"
    for number, line in iter_lines(path):
        line = line.strip()
        if not line:
            continue
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        words = line.lower().split() if lowercase else line.split()
        if len(words) != 4:
            raise DataError(f"{path}:{number}: expected 4 words 'a b c d' or ': section', got {line!r}")
        questions.append((section, words))
    if not questions:
        raise DataError(f"{path}: no questions found")
    return questions


def analogy_accuracy(wv: WordVectors, path: str | Path, method: str = "3cosadd", metric: str = "cosine",
                     lowercase: bool = False, chunk: int = 512) -> AnalogyReport:
    """Answer every question of a questions-words file whose words are all known."""
    report = AnalogyReport()
    known = []
    for section, words in read_questions(path, lowercase):
        counts = report.sections.setdefault(section, [0, 0, 0])
        if all(w in wv.index for w in words):
            known.append((section, [wv.index[w] for w in words]))
            counts[1] += 1
        else:
            counts[2] += 1
    report.answered = len(known)
    report.skipped = sum(c[2] for c in report.sections.values())
    for start in range(0, len(known), chunk):
        part = known[start:start + chunk]
        ids = torch.tensor([q for _, q in part])  # (Q, 4)
        guess = analogy_scores(wv, ids[:, 0], ids[:, 1], ids[:, 2], method, metric).argmax(dim=1)
        for (section, _), right in zip(part, (guess == ids[:, 3]).tolist()):
            report.sections[section][0] += int(right)
            report.correct += int(right)
    return report


def export_word2vec(wv: WordVectors, path: str | Path) -> Path:
    """Write word2vec's text format: ``"N E"``, then ``word v1 ... vE`` per line."""
    path = Path(path)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"{len(wv.words)} {wv.vectors.shape[1]}\n")
        for word, vector in zip(wv.words, wv.vectors.tolist()):
            handle.write(word.replace(" ", "_") + " " + " ".join(f"{x:.6g}" for x in vector) + "\n")
    return path


def project_2d(vectors: torch.Tensor) -> torch.Tensor:
    """PCA to 2-D: (N, E) -> (N, 2), the centred data on its two main axes (by SVD)."""
    centred = vectors - vectors.mean(dim=0, keepdim=True)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)  # rows of v: principal axes
    return centred @ v[:2].T


def plot_embeddings(wv: WordVectors, words: Sequence[str], path: str | Path) -> Path:
    """Scatter ``words`` on their first two principal components (PNG; needs matplotlib)."""
    plt = load_pyplot("plotting embeddings", required=True)
    missing = [w for w in words if w not in wv.index]
    if missing:
        raise ConfigError(f"not in the vocabulary: {', '.join(repr(w) for w in missing[:5])}")
    if len(words) < 2:
        raise ConfigError("give at least two words to plot")
    points = project_2d(torch.stack([wv.vector(w) for w in words])).numpy()
    figure, axes = plt.subplots(figsize=(7, 6))
    axes.scatter(points[:, 0], points[:, 1], s=12)
    for word, (x, y) in zip(words, points):
        axes.annotate(word, (x, y), fontsize=9, xytext=(3, 3), textcoords="offset points")
    axes.set_title("word embeddings, first two principal components")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return Path(path)


def _check(method: str = "3cosadd", metric: str = "cosine") -> None:
    if method not in METHODS:
        raise unknown_choice("method", method, METHODS)
    if metric not in METRICS:
        raise unknown_choice("metric", metric, METRICS)
    if method == "3cosmul" and metric != "cosine":
        raise ConfigError("3cosmul is defined on cosine similarities; use --metric cosine")
