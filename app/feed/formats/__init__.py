"""OEM message formats -> canonical broadcasts: EDIFACT DELJIT, ANSI X12 866, VDA 4916 records, JSON.

Start with ``parse_bytes`` (any format, detected by content) or ``parse_file`` (what ``jis parse FILE`` prints),
or for big files the streams ``ParseStream`` / ``open_stream`` (one message in memory at a time). The parsers are
pure (bytes in, broadcasts and problems out) and never raise for bad input: what cannot be parsed or validated
becomes a ``Problem`` carrying its reason and raw bytes, for quarantine.
This package must not talk to the feed, the database or the core: the intake (``jis import``, the service)
decides what to do with the result. Mappings and choices are documented in docs/message-formats.md.
"""

from app.feed.formats.canonical import (
    CanonicalBroadcast,
    FeedMismatch,
    InterchangeRegistry,
    ParseResult,
    PartCall,
    Problem,
    families_of_plant,
)
from app.feed.formats.detect import (
    ParseStream,
    PartnerProfiles,
    detect_format,
    load_vda_profiles,
    open_stream,
    parse_bytes,
    parse_file,
)

__all__ = [
    "CanonicalBroadcast",
    "FeedMismatch",
    "InterchangeRegistry",
    "ParseResult",
    "ParseStream",
    "PartCall",
    "PartnerProfiles",
    "Problem",
    "detect_format",
    "families_of_plant",
    "load_vda_profiles",
    "open_stream",
    "parse_bytes",
    "parse_file",
]
