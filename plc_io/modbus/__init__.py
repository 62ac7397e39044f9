"""Modbus TCP devices: the PICK-IQ pick-to-light gateway and the print-and-apply PLC (codec, maps, client, drivers)."""
