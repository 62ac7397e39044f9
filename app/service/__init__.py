"""The running sequencer service: one ``Service`` (``runtime``) composed of its parts: the one path into the core
(``sequencing``), the broadcasts in (``intake``), the devices (``device_side``, drivers built by ``devices``), the
screens and SCADA (``hmi_side``), the latency figures (``latency``); beside it standby, replay and snapshots, the
label check, metrics and alarm notifications.

Must not: import the proof tooling or the command line (import-linter), or speak a device protocol (``plc_io`` does).
"""
