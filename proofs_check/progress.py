"""A heartbeat on stderr for a computation that may run for a while without other output.

>>> import io, time
>>> out = io.StringIO()
>>> with heartbeat(lambda: "working at 45 digits", first_after=0.05, every=10, stream=out, prefix="eval"):
...     time.sleep(0.2)
>>> out.getvalue().startswith("eval: working at 45 digits (")
True
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time

__all__ = ["heartbeat"]


@contextlib.contextmanager
def heartbeat(status, *, first_after: float = 3.0, every: float = 5.0, stream=None, prefix: str = ""):
    """While the block runs, print ``prefix: status() (N s so far)`` to ``stream`` (stderr)
    ``first_after`` seconds after it started and every ``every`` seconds after that; nothing
    for a block that ends sooner.  ``status`` is a string or a function returning one."""
    stream = sys.stderr if stream is None else stream
    done = threading.Event()
    start = time.monotonic()

    def beat():
        wait = first_after
        while not done.wait(wait):
            text = status() if callable(status) else status
            print(f"{prefix + ': ' if prefix else ''}{text} ({time.monotonic() - start:.0f} s so far)",
                  file=stream, flush=True)
            wait = every

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
