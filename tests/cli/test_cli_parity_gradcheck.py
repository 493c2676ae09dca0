"""`rnnlab parity` and `rnnlab gradcheck` from the command line."""

import json
import subprocess
import sys

import pytest

from rnnlab.cli.main import main


def test_parity_cli_json_reports_held_out_accuracy(capsys):
    code = main(["parity", "--bits", "12", "--train-size", "2000", "--test-size", "300", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip())
    assert result["bits"] == 12 and result["cell"] == "elman"
    assert result["string_accuracy"] == 1.0
    assert result["engine"].startswith("fused")


@pytest.mark.parametrize("argv, message", [
    (["--bits", "0"], "rnnlab parity: error: --bits must be an integer >= 4"),
    (["--hidden", "-1"], "rnnlab parity: error: --hidden must be an integer >= 1; got -1"),
    (["--cell", "lstn"], "rnnlab parity: error: unknown cell 'lstn' (did you mean 'lstm'?); valid: elman, "
                         "elman_relu, elman_sigmoid, gru, gru_reset_before, jordan, lstm, "
                         "lstm_full_peephole, lstm_peephole, mingru, minlstm, rated"),
])
def test_parity_cli_bad_values_one_line_error(argv, message, capsys):
    assert main(["parity", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err == message or err.startswith(message)
    assert "\n" not in err and "Traceback" not in err


def test_gradcheck_cli_table(capsys):
    assert main(["gradcheck", "--cell", "gru_reset_before", "--cell", "jordan"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["cell", "max", "abs", "error", "values", "result"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {"gru_reset_before", "jordan"}
    for row in rows.values():
        assert row[-1] == "pass" and float(row[1]) < 1e-6


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "rnnlab", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("parity", "gradcheck", "data"):
        assert command in out.stdout
