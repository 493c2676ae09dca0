"""Neighbours and analogies on constructed vectors; 3CosAdd vs 3CosMul; file accuracy."""

import pytest
import torch

from rnnlab.errors import ConfigError
from rnnlab.lm.embeddings import (WordVectors, analogy, analogy_accuracy, export_word2vec, neighbors,
                                  project_2d)


def _royal():
    # Axes: royalty, gender (+ female), plus small noise dimensions.
    words = ["man", "woman", "king", "queen", "prince", "apple"]
    vectors = torch.tensor([
        [0.0, -1.0, 0.1], [0.0, 1.0, 0.1], [1.0, -1.0, 0.0],
        [1.0, 1.0, 0.0], [0.9, -0.8, 0.3], [-1.0, 0.0, 1.0]])
    return WordVectors(words, vectors)


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_king_man_woman_is_queen(method):
    wv = _royal()
    # man : king :: woman : ?   (king - man + woman)
    assert analogy(wv, "man", "king", "woman", method=method)[0][0] == "queen"


def test_euclidean_3cosadd_and_question_words_excluded():
    wv = _royal()
    best = analogy(wv, "man", "king", "woman", metric="euclidean", k=3)
    assert best[0][0] == "queen"
    assert not {"man", "king", "woman"} & {w for w, _ in best}
    with pytest.raises(ConfigError, match="3cosmul"):
        analogy(wv, "man", "king", "woman", method="3cosmul", metric="euclidean")
    with pytest.raises(ConfigError, match="not in the vocabulary: 'duke'"):
        analogy(wv, "man", "duke", "woman")


def test_3cosmul_and_3cosadd_differ_where_a_small_term_is_multiplied():
    # x is equally dissimilar to a, b and c; y is a itself (scaled): cos(y, a) = 1.
    # 3CosAdd: x scores -0.577, y scores 0 - 1 + 0 = -1        -> x
    # 3CosMul: x scores 0.211 * 0.211 / 0.212 = 0.21; y 0.5 * 0.5 / 1.001 = 0.25 -> y
    a, b, c = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]
    x, y = [-0.5, -0.5, -0.5], [0.5, 0.0, 0.0]
    wv = WordVectors(["a", "b", "c", "x", "y"], torch.tensor([a, b, c, x, y]))
    cos = lambda u, v: float(torch.nn.functional.cosine_similarity(torch.tensor(u), torch.tensor(v), dim=0))
    add = {w: cos(v, b) - cos(v, a) + cos(v, c) for w, v in (("x", x), ("y", y))}
    mul = {w: (cos(v, b) + 1) / 2 * (cos(v, c) + 1) / 2 / ((cos(v, a) + 1) / 2 + 1e-3)
           for w, v in (("x", x), ("y", y))}
    assert max(add, key=add.get) == "x" and max(mul, key=mul.get) == "y"
    assert analogy(wv, "a", "b", "c", method="3cosadd")[0][0] == "x"
    assert analogy(wv, "a", "b", "c", method="3cosmul")[0][0] == "y"
    scores = dict(analogy(wv, "a", "b", "c", method="3cosmul", k=2))
    assert abs(scores["y"] - mul["y"]) < 1e-5 and abs(scores["x"] - mul["x"]) < 1e-5


def test_neighbors_cosine_and_euclidean():
    wv = _royal()
    assert neighbors(wv, "king", k=1)[0][0] == "prince"
    near = neighbors(wv, "king", k=2, metric="euclidean")
    assert near[0][0] == "prince" and near[0][1] < near[1][1]  # distances grow
    with pytest.raises(ConfigError, match="not in the vocabulary"):
        neighbors(wv, "duke")


def test_analogy_accuracy_reports_skipped_questions(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(": royal\nman king woman queen\nMan King Woman Prince\n"
                    ": unknown\nman duke woman duchess\n")
    report = analogy_accuracy(_royal(), path, lowercase=True)
    assert (report.correct, report.answered, report.skipped, report.total) == (1, 2, 1, 3)
    assert report.sections == {"royal": [1, 2, 0], "unknown": [0, 0, 1]}
    assert "skipped 1 of 3" in report.summary()


def test_word2vec_export_and_projection(tmp_path):
    wv = _royal()
    path = export_word2vec(wv, tmp_path / "vectors.txt")
    lines = path.read_text().splitlines()
    assert lines[0] == "6 3" and lines[3].split()[0] == "king" and len(lines[3].split()) == 4
    points = project_2d(wv.vectors)
    assert points.shape == (6, 2)
    torch.testing.assert_close(points.mean(0), torch.zeros(2), atol=1e-6, rtol=0)
    assert points[:, 0].var() >= points[:, 1].var()  # the first axis carries the most variance
