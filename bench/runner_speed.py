"""Speed of the runner's engines beside torch.nn, over a grid of shapes.

For each cell and shape it times, as the median of ``--repeats`` runs after a warm-up:
forward only (no grad) and forward+backward, for

- ``torch.nn``  : torch.nn.LSTM / GRU / RNN where one computes the cell's math;
- ``auto``      : rnnlab's Recurrent with backend="auto" (fused where exact);
- ``scan``      : rnnlab's Recurrent with backend="scan" (minGRU/minLSTM only);
- ``reference`` : rnnlab's Recurrent with backend="reference" (the readable loop).

Writes JSON (one record per cell, shape and engine) and, with ``--markdown``, a table.

    python bench/runner_speed.py --out bench/results/runner_speed.json --markdown docs/performance.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

from rnnlab.cells import CELLS
from rnnlab.layers import Recurrent, to_torch


def timed(fn, repeats: int) -> float:
    fn()  # warm-up (allocations, oneDNN primitive creation)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(module: nn.Module, x: torch.Tensor, repeats: int) -> dict:
    def forward():
        with torch.no_grad():
            module(x)

    def forward_backward():
        out = module(x)
        out = out.outputs if hasattr(out, "outputs") else out[0]
        out.sum().backward()

    fwd = timed(forward, repeats)
    fwd_bwd = timed(forward_backward, repeats)
    tokens = x.shape[0] * x.shape[1]
    return {"forward_s": fwd, "forward_backward_s": fwd_bwd,
            "tokens_per_s_forward": tokens / fwd, "tokens_per_s_train": tokens / fwd_bwd}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--steps", type=int, nargs="+", default=[100])
    parser.add_argument("--hidden", type=int, nargs="+", default=[256])
    parser.add_argument("--input", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--out", type=Path, default=Path("bench/results/runner_speed.json"))
    parser.add_argument("--markdown", type=Path, help="also write a Markdown report here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    records = []
    for cell in args.cells:
        for B in args.batch:
            for T in args.steps:
                for H in args.hidden:
                    x = torch.randn(B, T, args.input)
                    rnn = Recurrent(cell, args.input, H)
                    engines = {"auto": rnn}
                    if rnn.engine().engine == "fused":
                        engines["torch.nn"] = to_torch(rnn)
                    others = ["scan", "reference"] if cell in ("mingru", "minlstm") else ["reference"]
                    for backend in others:
                        engines[backend] = Recurrent(cell, args.input, H, backend=backend)
                        engines[backend].load_state_dict(rnn.state_dict())
                    for engine, module in engines.items():
                        result = measure(module, x, args.repeats)
                        record = {"cell": cell, "engine": engine, "batch": B, "steps": T,
                                  "hidden": H, "input": args.input, **result}
                        records.append(record)
                        print(json.dumps(record), flush=True)

    meta = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(), "threads": args.threads, "torch": torch.__version__,
        "python": platform.python_version(), "command": "python " + " ".join(sys.argv),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "records": records}, indent=1))
    if args.markdown:
        args.markdown.write_text(render_markdown(meta, records))
    return 0


def render_markdown(meta: dict, records: list[dict]) -> str:
    """A table per shape: time and ratio to torch.nn.LSTM at the same shape."""
    lines = ["# Performance", "",
             f"Measured {meta['date']} on {meta['machine']} ({meta['cpus']} CPUs, {meta['threads']} threads), "
             f"torch {meta['torch']}, Python {meta['python']}.", "",
             f"Command: `{meta['command']}`", "",
             "Times are medians; `vs nn.LSTM` divides forward+backward time by that of "
             "`torch.nn.LSTM` at the same shape.", ""]
    shapes = sorted({(r["batch"], r["steps"], r["hidden"], r["input"]) for r in records})
    for B, T, H, I in shapes:
        rows = [r for r in records if (r["batch"], r["steps"], r["hidden"], r["input"]) == (B, T, H, I)]
        lstm = next((r for r in rows if r["cell"] == "lstm" and r["engine"] == "torch.nn"), None)
        lines += [f"## B={B}, T={T}, I={I}, H={H}", "",
                  "| cell | engine | forward ms | fwd+bwd ms | train tokens/s | vs nn.LSTM |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in rows:
            ratio = f"{r['forward_backward_s'] / lstm['forward_backward_s']:.2f}x" if lstm else "-"
            lines.append(f"| {r['cell']} | {r['engine']} | {r['forward_s'] * 1e3:.1f} | "
                         f"{r['forward_backward_s'] * 1e3:.1f} | {r['tokens_per_s_train']:,.0f} | {ratio} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
