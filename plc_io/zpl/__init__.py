"""Zebra print engines: ZPL II label layouts, field escaping, status codecs and the raw-TCP driver."""
