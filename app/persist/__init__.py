"""Persistence: the event journal and its codec, snapshots, quarantine, read models, migrations.

Must not: import the service, the HMI or the feed (it is the bottom of app's layers), or change a journal row once
written.
"""
