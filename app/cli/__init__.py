"""The ``jis`` command line: one argparse tree, one module per command."""
