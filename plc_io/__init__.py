"""Device drivers: the only room that talks to pick-to-light controllers and label printers.

Small ports (``ports.PickToLight``, ``ports.LabelPrinter``), pure register/node maps with codecs, and one
adapter per protocol. Library errors become ``DeviceError``; link loss becomes a ``LinkChanged`` report.

The sub-rooms (import-linter holds the order, pyproject.toml):
- ``line_server/``: the service's own OPC UA server for SCADA and MES (it borrows ``opcua/``'s security);
- ``modbus/``, ``opcua/``, ``zpl/``: one per protocol, each its maps or models, its client and its drivers; none
  imports another;
- what the drivers share: ``link`` (the connect/back-off/report-once loop), ``label_gate`` (labels once, write-ahead),
  ``light_outbox`` (coalescing light commands), ``zpl_labels/`` (labels as ZPL II: the Zebra prints them and the
  OPC UA print engine's job orders carry them), ``counters`` (wrapping device counters), ``loopback_ports``;
- ``ports``: the two ports and the reports, under everything.
"""
