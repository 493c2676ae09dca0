"""Ctrl-C and SIGTERM during training: finish the step, save, then return.

:func:`stop_on_signals` installs handlers only for the duration of a ``with`` block
(``Trainer.fit``) and restores the previous ones afterwards. The first SIGINT or
SIGTERM calls ``request_stop("interrupted (SIGINT)")``; the Trainer saves a
checkpoint after the current step and returns. A second SIGINT raises
``KeyboardInterrupt`` at once, for when even that is too slow.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def stop_on_signals(request_stop: Callable[[str], None]) -> Iterator[None]:
    """Route SIGINT/SIGTERM to ``request_stop`` inside the block (main thread only;
    elsewhere Python cannot install handlers and the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if received and signum == signal.SIGINT:
            raise KeyboardInterrupt  # second Ctrl-C: stop now, without a checkpoint
        received.append(signum)
        request_stop(f"interrupted ({signal.Signals(signum).name})")

    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        for signum in previous:
            signal.signal(signum, handler)
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
