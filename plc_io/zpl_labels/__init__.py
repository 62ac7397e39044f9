"""Labels as ZPL II, for every printer that takes ZPL (the Zebra over raw TCP, the OPC UA print engine's job orders):
the part and rack layouts and their rendering (``layouts``) and the field data encoders (``fields``), all pure."""
