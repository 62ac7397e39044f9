"""The pure sequencing core: broadcasts and device reports in, commands out.

Nothing in this package does I/O, reads a clock, draws random numbers or imports a GUI, database or device
library (import-linter enforces it). Time arrives as the ``at`` field of every event. The one door is
``Sequencer.handle(event) -> list[Command]`` (``core``).

What is where:

- ``events``, ``commands``, ``labels``: the values that come in and go out.
- ``core``: the door, the table from event type to rule, the replay fingerprint.
- ``rules/``: the rules, one module per idea (racks, devices, picking, vehicles, feeds, labelling, gtl, manual).
- ``state``: the one state object (``LineState``) and its records; ``lifecycle``: pick and vehicle statuses as
  transition tables; ``deviations`` and ``alarms``: the deviation kinds and their ISA-18.2 alarm table;
  ``alarm_points``: the on-delay, off-delay and chattering of the conditions devices report.
- ``plant``, ``resolution``, ``seqnum``: the plant file's schema, variant resolution, rolling sequence numbers.
- ``projection``, ``views``, ``kpis``, ``clone``: the read side (what the screens and the shift lead see).
- ``testing``: builders for tests of the core.
"""
