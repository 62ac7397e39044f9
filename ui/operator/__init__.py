"""The operator panel at the line: what to pick now, what comes next, the station's deviations.

What it must not do: import the other screens (``ui.cockpit``, ``ui.engineer``) or ``ui.main``; what it shares
with them lives in the shared ``ui`` modules.
"""
