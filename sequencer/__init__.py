"""The pure sequencing core: broadcasts and device reports in, commands out.

Nothing in this package does I/O, reads a clock, draws random numbers or imports a GUI, database or device
library (import-linter enforces it). Time arrives as the ``at`` field of every event. The one door is
``Sequencer.handle(event) -> list[Command]``.
"""
