"""``rnnlab gradcheck``: float64 gradient checks of the cells, as a table."""

from __future__ import annotations

import argparse

from rnnlab.cells import CELLS
from rnnlab.errors import unknown_choice


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "gradcheck", help="check every cell's gradients against finite differences (float64)",
        description="Compare autograd gradients with central finite differences, in float64, "
                    "for each cell run through the runner (padded, bidirectional, learned "
                    "initial state), and run torch.autograd.gradcheck.")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--cell", action="append", metavar="NAME",
                       help=f"cell to check (repeatable); one of: {', '.join(CELLS)}")
    which.add_argument("--all", action="store_true", help="check every registered cell (default)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rnnlab.gradcheck import gradcheck_cell

    names = args.cell or list(CELLS)
    for name in names:
        if name not in CELLS:
            raise unknown_choice("cell", name, CELLS)
    print(f"{'cell':<20} {'max abs error':>14} {'values':>7}  result")
    failed = 0
    for name in names:
        row = gradcheck_cell(name)
        failed += not row.passed
        print(f"{row.cell:<20} {row.max_abs_error:>14.2e} {row.values_checked:>7}  "
              f"{'pass' if row.passed else 'FAIL'}", flush=True)
    return 1 if failed else 0
