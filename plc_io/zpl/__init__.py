"""Zebra print engines over raw TCP: the ``~HS`` / ``~HQES`` status codecs and the driver.

The label layouts are ``plc_io.zpl_labels``: the OPC UA print engine takes ZPL too."""
