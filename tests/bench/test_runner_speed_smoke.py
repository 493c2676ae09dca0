"""The speed benchmark runs end to end on a tiny grid and writes what it promises."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import runner_speed  # noqa: E402


def test_runner_speed_writes_json_and_markdown(tmp_path):
    out, md = tmp_path / "speed.json", tmp_path / "perf.md"
    code = runner_speed.main(["--cells", "lstm", "gru_reset_before", "--batch", "2", "--steps", "3",
                              "--hidden", "4", "--input", "3", "--repeats", "1",
                              "--out", str(out), "--markdown", str(md)])
    assert code == 0
    data = json.loads(out.read_text())
    engines = {(r["cell"], r["engine"]) for r in data["records"]}
    # torch.nn appears only where it computes the same math.
    assert engines == {("lstm", "auto"), ("lstm", "torch.nn"), ("lstm", "reference"),
                       ("gru_reset_before", "auto"), ("gru_reset_before", "reference")}
    assert all(r["forward_s"] > 0 and r["forward_backward_s"] > 0 for r in data["records"])
    text = md.read_text()
    assert "## B=2, T=3, I=3, H=4" in text and "| gru_reset_before | reference |" in text
