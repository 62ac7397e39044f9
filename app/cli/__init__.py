"""The ``jis`` command line: one argparse tree (``app.cli.main``), one module per command.

Each command module has ``add_parser(subparsers)``, which adds its sub-command with one help line and its
options, and ``run(args) -> int``, which calls the logic modules with plain values and prints what they return.
What this package must not hold: the logic itself (sequencing, persistence, parsing, device work), which lives in
the module it belongs to, so that tests and other tools call it without a command line.
"""
