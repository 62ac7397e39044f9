"""Device drivers: the only room that talks to pick-to-light controllers and label printers.

Small ports (``ports.PickToLight``, ``ports.LabelPrinter``), pure register/node maps with codecs, and one
adapter per protocol. Library errors become ``DeviceError``; link loss becomes a ``LinkChanged`` report.
"""
