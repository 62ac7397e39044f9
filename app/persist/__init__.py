"""Persistence: the event journal and its codec, snapshots, quarantine, read models, migrations."""
