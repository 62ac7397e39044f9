"""The OEM side: the feed link and its wire protocol, the message formats, file import."""
