"""Outbound messages to the OEM: the ship notice of a rack in the partner's format, and reading it back.

- ``desadv``: EDIFACT DESADV D.07A after the Odette / VDA 4987 JIS profile.
- ``vda4913``: VDA 4913 fixed-length records (711 .. 719).
- ``x12_856``: ANSI X12 856 (004010) for partners on X12.
- ``read``: both read back into what they say (``NoticeRead``), the DESADV with the project's own EDIFACT parser
  (``app.feed.formats.edifact``): what the tests and an OEM simulator check a notice with.
- ``build``: the format a plant file names -> the writer; the notice's file name in the EDI gateway's outbox.

The writers are pure: a ``SendShipNotice`` from the core, the ``[ship_notices]`` settings and the time in, bytes
out. What this package must not do: send anything (``app.service.notices`` does) or be imported by the readers in
``app.feed.formats`` (an import-linter contract: the readers never lean on the writers).
"""
