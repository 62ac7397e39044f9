"""Proof tooling, never imported by the service: demo, benchmarks, fault campaign, fuzzing, verdicts."""
