"""The shift lead's cockpit: overview, deviations, KPIs and trends, manual operations, the shift report."""
