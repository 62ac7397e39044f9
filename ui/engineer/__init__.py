"""The engineer's view of the simulated plant: lights, labels, the feed and every fault switch.

What it must not do: import the other screens (``ui.operator``, ``ui.cockpit``), ``ui.main`` or the simulators
(it talks to them over their control channel only).
"""
