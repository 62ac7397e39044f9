"""SIGINT (Ctrl-C) and SIGTERM (a supervisor, systemd, ``kill``) as a command's request to stop cleanly.

What it is for: two ways a ``jis`` command hears them.
- ``terminate_raises``, around the whole command (``app.cli.main``): SIGTERM raises ``Stopped`` in the main thread as
  SIGINT raises KeyboardInterrupt (``Stopped`` is one), so whatever runs unwinds its ``with`` and ``finally`` blocks
  (a child started with ``subprocess.run`` is killed, an asyncio loop cancels its tasks) and the command line ends
  it with 128 + the signal's number and no traceback. Python's default for SIGTERM would end the process at once,
  leaving its children running. Two ways CPython loses such a stop are closed: one raised where no exception can
  go on (a weakref callback) is sent again (``_stop_again``), and one raised in ``exec``'d code is marked handled
  once caught (``forget_interrupt``), else ``python -m`` ends by SIGINT whatever exit code was chosen.
- ``StopSignals``, on a running asyncio loop, for the commands that stop in their own way (``jis demo``, ``jis
  chaos``: end every child, free every port, then a partial summary): the first signal is recorded and runs the
  callbacks given (cancel the work); another one while stopping is ignored, since every wait of a stop is bounded.
- ``spawning`` and ``accept_stops``: a child Python process is started with the two signals blocked (the mask
  survives exec), and takes them once its entry point can handle them: a Ctrl-C that reaches it while its
  interpreter starts waits a moment instead of killing it with a "Fatal Python error" traceback.
- ``spawning`` and ``end_with_parent``: the one exit path no ``finally`` sees, a parent killed outright (SIGKILL,
  the OOM killer): a child started inside ``spawning`` is told its parent (``PARENT_ENV``) and, on Linux, asks the
  kernel for SIGTERM when that parent dies (``PR_SET_PDEATHSIG``), so ``jis demo``'s and ``jis chaos``'s
  simulators, screens and services never outlive them.
What it must not do: install anything at import time, or outside the main thread (where Python refuses signal
handlers: there it does nothing, and the process's owner handles the signals).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_AGAIN_S = 0.05  # a stop Python swallowed is sent again this much later (``_stop_again``)
EXIT_SIGNALLED = 128  # + the signal's number: how a shell reports a command a signal ended (130 SIGINT, 143 SIGTERM)


class Stopped(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Python raises KeyboardInterrupt for SIGINT (and treated as it is by
    asyncio: the loop stops and its tasks are cancelled)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """The exit code of a command that ``interrupt`` stopped: 130 for Ctrl-C, 143 for SIGTERM. The interrupt is
    handled: the interpreter is told so (``forget_interrupt``)."""
    forget_interrupt()
    return EXIT_SIGNALLED + getattr(interrupt, "signum", signal.SIGINT)


def forget_interrupt() -> None:
    """Tell the interpreter that the KeyboardInterrupt caught was handled. CPython marks one raised inside code run
    from a string (``exec``: every dataclass and named tuple being built while a module loads) as never handled,
    even once caught, and ``python -m`` then ends by killing itself with SIGINT (exit -2, no summary) whatever exit
    code the command chose; the next ``exec`` of a string clears the mark. Seen in a clean-clone run: ``jis demo``
    stopped by Ctrl-C while ``sequencer.events`` built its dataclasses (tests/e2e/test_stopping.py)."""
    exec("")


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def terminate_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``Stopped`` (main thread only), and SIGINT raises KeyboardInterrupt even
    where the process began with it ignored: a non-interactive shell starts its background jobs so (``jis serve &``
    in a script, a CI runner), Python then leaves it ignored, and a Ctrl-C or SIGINT before the command's loop took
    it over was lost, while one after stopped it (two clean-clone runs: tests/e2e/test_stopping.py's SIGINT at
    start-up left jis demo running on). The handlers before are restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _raise_stopped)
    interrupt = signal.getsignal(signal.SIGINT)
    if interrupt is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    unraisable = sys.unraisablehook
    sys.unraisablehook = _stop_again(unraisable)
    try:
        yield
    finally:
        sys.unraisablehook = unraisable
        signal.signal(signal.SIGTERM, before)
        if interrupt is signal.SIG_IGN:
            signal.signal(signal.SIGINT, interrupt)


def _stop_again(otherwise: Callable[[Any], object]) -> Callable[[Any], object]:
    """An unraisable hook that gives back a stop Python swallowed: a KeyboardInterrupt (or ``Stopped``) raised where
    no exception can go on (a weakref callback, a ``__del__``: importlib's module locks have one) is only printed as
    "Exception ignored", and the command ran on to its end (seen: ``jis demo`` ran its 40 vehicles after a Ctrl-C
    while it loaded). The signal is sent again a moment later from a thread, so that it lands in the code that runs
    next, not in this hook (a signal sent from here is handled before the hook returns, and swallowed again);
    anything else goes on to ``otherwise``."""

    def hook(unraisable: Any) -> None:
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            otherwise(unraisable)
            return
        signum = getattr(unraisable.exc_value, "signum", signal.SIGINT)
        again = threading.Timer(STOP_AGAIN_S, os.kill, (os.getpid(), signum))
        again.daemon = True
        again.start()

    return hook


def raise_if_stop_asked() -> None:
    """Raise ``CancelledError`` if this task was cancelled (a stop) and the cancel was swallowed on the way: Python
    3.11's ``asyncio.wait_for`` (in a library, or ours) returns the inner result and drops the cancel when both come
    at once, and a command starting its service would then run on as if never stopped (``jis serve`` and ``jis demo``
    hung 45 s after a SIGINT at start-up in tests/e2e/test_stopping.py). The task's own count of cancels asked and
    not given back (``Task.cancelling``; ``asyncio.timeout`` gives its own back) still says so: call it at the end
    of a start and in the loops that wait for the work to end."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def hold_stops() -> None:
    """Block SIGINT and SIGTERM in the main thread: one that comes waits, pending, until they are unblocked
    (``accept_stops``, or a screen's own handlers: ``ui.main``). For what no exception may interrupt: PySide's
    import and its first windows (a KeyboardInterrupt there ended ``jis hmi`` in "Fatal Python error:
    libshiboken/signature", or in an AttributeError from a half-built enum, or was swallowed and the screen ran on:
    tests/e2e/test_stopping.py's hmi at 1.4 s, 9 in 50 local tries)."""
    if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def accept_stops() -> None:
    """Unblock SIGINT and SIGTERM (blocked by a parent's ``spawning``): one that came meanwhile is handled now."""
    if hasattr(signal, "pthread_sigmask"):  # POSIX
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


PARENT_ENV = "JIS_PARENT_PID"  # set for the children ``spawning`` starts: the parent they must not outlive
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent() -> None:
    """A child started inside ``spawning`` (Linux): SIGTERM when its parent dies, however it dies; at once if the
    parent died before this could be asked. Anywhere else, or started by anything else (systemd), nothing."""
    parent = os.environ.pop(PARENT_ENV, "")
    if not parent.isdigit() or int(parent) == os.getpid() or not sys.platform.startswith("linux"):
        return  # not a child of a jis command (one that execs itself, as jis sim does, is its own parent)
    import ctypes  # Linux only, and only in a child

    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        log.warning("cannot ask to end with the parent (prctl): errno %d", ctypes.get_errno())
        return
    if os.getppid() != int(parent):  # the parent is gone already: stop as it would have asked
        os.kill(os.getpid(), signal.SIGTERM)


@contextlib.contextmanager
def spawning() -> Iterator[None]:
    """Start child processes inside this block: they begin with SIGINT and SIGTERM blocked until their entry point
    calls ``accept_stops``; in this process a signal that comes meanwhile waits until the block ends. They are told
    this process's id (``PARENT_ENV``), so that they end with it (``end_with_parent``)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    told = os.environ.get(PARENT_ENV)
    os.environ[PARENT_ENV] = str(os.getpid())
    try:
        yield
    finally:
        if told is None:
            os.environ.pop(PARENT_ENV, None)
        else:
            os.environ[PARENT_ENV] = told
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class StopSignals:
    """SIGINT and SIGTERM on the running loop while the ``with`` block runs: ``received`` is the first one, and the
    callbacks given (``on_stop``) run once, on the loop; the handlers before are restored on leaving."""

    def __init__(self) -> None:
        self.received: signal.Signals | None = None
        self._callbacks: list[Callable[[], Any]] = []
        self._handled: dict[signal.Signals, Any] = {}

    def on_stop(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` at the first signal (at once, if one came already)."""
        self._callbacks.append(callback)
        if self.received is not None:
            callback()

    @property
    def exit_code(self) -> int | None:
        return None if self.received is None else EXIT_SIGNALLED + self.received

    def __enter__(self) -> StopSignals:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            before = signal.getsignal(sig)
            try:
                loop.add_signal_handler(sig, self._signalled, sig)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or not on this platform
                continue
            self._handled[sig] = before
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        loop = asyncio.get_running_loop()
        for sig, before in self._handled.items():
            loop.remove_signal_handler(sig)
            signal.signal(sig, before)  # remove_signal_handler leaves Python's default, not what was there
        self._handled.clear()

    def _signalled(self, sig: signal.Signals) -> None:
        if self.received is not None:
            log.warning("%s: already stopping (each wait is bounded)", sig.name)
            return
        self.received = sig
        for callback in self._callbacks:
            callback()
