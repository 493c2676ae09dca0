"""Classification and tagging metrics: accuracy, confusion matrix, per-class report, macro-F1.

Conventions (as scikit-learn's ``classification_report``):

* ``confusion[i, j]`` counts items of true class ``i`` predicted as ``j``;
* precision ``= tp / (tp + fp)``, recall ``= tp / (tp + fn)``,
  F1 ``= 2 p r / (p + r)``; a 0/0 is 0;
* macro-F1 is the unweighted mean of the per-class F1 over all classes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from rnnlab.errors import DataError
from rnnlab.plotting import load_pyplot


def confusion_matrix(truth, predicted, num_classes: int) -> np.ndarray:
    """``(C, C)`` int64 counts; row = true class, column = predicted class."""
    truth, predicted = np.asarray(truth, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    if truth.shape != predicted.shape:
        raise DataError(f"truth and predictions differ in shape: {truth.shape} vs {predicted.shape}")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix


@dataclass
class ClassReport:
    """Scores of one class."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int  # true items of this class


@dataclass
class ClassificationReport:
    """Everything measured on one split."""

    accuracy: float
    macro_f1: float
    classes: list[ClassReport]
    confusion: list[list[int]]  # row = true, column = predicted
    items: int

    def to_dict(self) -> dict:
        return asdict(self)

    def format(self) -> str:
        """A plain-text table: one row per class, then accuracy and macro-F1."""
        width = max(9, *(len(c.name) for c in self.classes))
        lines = [f"{'class':<{width}}  precision  recall     f1  support"]
        for c in self.classes:
            lines.append(f"{c.name:<{width}}  {c.precision:9.4f}  {c.recall:6.4f}  {c.f1:.4f}  {c.support:7d}")
        lines.append(f"{'accuracy':<{width}}  {self.accuracy:.4f} of {self.items}")
        lines.append(f"{'macro-F1':<{width}}  {self.macro_f1:.4f}")
        return "\n".join(lines)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def classification_report(truth, predicted, names: list[str]) -> ClassificationReport:
    """Accuracy, macro-F1, per-class precision / recall / F1 / support and the confusion matrix."""
    matrix = confusion_matrix(truth, predicted, len(names))
    tp = np.diag(matrix)
    classes = []
    for i, name in enumerate(names):
        precision, recall = _ratio(tp[i], matrix[:, i].sum()), _ratio(tp[i], matrix[i].sum())
        f1 = _ratio(2 * precision * recall, precision + recall)
        classes.append(ClassReport(name, precision, recall, f1, int(matrix[i].sum())))
    items = int(matrix.sum())
    return ClassificationReport(
        accuracy=_ratio(tp.sum(), items), macro_f1=float(np.mean([c.f1 for c in classes])),
        classes=classes, confusion=matrix.tolist(), items=items,
    )


def plot_confusion(report: ClassificationReport, path: str | Path, title: str = "confusion matrix") -> Path | None:
    """Write the confusion matrix as a PNG heat map (rows = true); needs matplotlib.

    Returns the path, or None (with a one-line warning) when matplotlib is missing.
    """
    plt = load_pyplot("confusion-matrix plot")
    if plt is None:
        return None
    matrix = np.asarray(report.confusion)
    names = [c.name for c in report.classes]
    size = max(4.0, 0.45 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title} (accuracy {report.accuracy:.3f}, macro-F1 {report.macro_f1:.3f})")
    if len(names) <= 20:
        limit = matrix.max() / 2 if matrix.size else 0
        for i in range(len(names)):
            for j in range(len(names)):
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if matrix[i, j] > limit else "black")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
