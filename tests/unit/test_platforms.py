"""README's platform promise: the HMI, the command line's read-only commands and the service import nothing that
only exists on Linux or other POSIX systems, so they start on Windows. Checked here by importing them in a fresh
interpreter where those modules cannot be imported (as on Windows)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource", "tty", "pty", "posix", "syslog", "crypt")
ON_WINDOWS = (
    "app.cli.main",
    "app.cli.hmi",
    "app.cli.report",
    "app.cli.replay",
    "app.cli.users",
    "app.cli.parse",
    "app.cli.serve",
    "ui.main",
    "app.service.runtime",
    "app.service.standby",
)

PROBE = textwrap.dedent(
    """
    import importlib, importlib.abc, sys

    class NotHere(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {blocked!r}:
                raise ImportError(f"{{name}} does not exist on Windows")
            return None

    for name in {blocked!r}:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, NotHere())
    for module in {modules!r}:
        importlib.import_module(module)
    from app.cli.main import build_parser
    build_parser().format_help()
    print("ok")
    """
)


def test_the_hmi_the_read_only_commands_and_the_service_import_nothing_posix_only() -> None:
    code = PROBE.format(blocked=POSIX_ONLY, modules=ON_WINDOWS)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]


def test_the_probe_does_catch_a_posix_only_import() -> None:
    code = PROBE.format(blocked=POSIX_ONLY, modules=("fcntl",))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "does not exist on Windows" in run.stderr
