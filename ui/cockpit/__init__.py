"""The shift lead's cockpit: overview, deviations, KPIs and trends, manual operations, the shift report.

What it must not do: import the other screens (``ui.operator``, ``ui.engineer``) or ``ui.main``; what it shares
with them lives in the shared ``ui`` modules.
"""
