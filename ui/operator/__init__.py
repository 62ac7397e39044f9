"""The operator panel at the line: what to pick now, what comes next, the station's deviations."""
