"""The HMI: PySide6 screens that are clients of the service's HMI bus, never of the database or devices.

What it is for: ``main`` starts one of three screens, each a room of its own (``operator``, ``cockpit``,
``engineer``); beneath them the modules they share: the links (``bus_client``, ``command_client``, ``dealer``),
who is logged in (``login``), the look (``style``, ``style.qss``), the building blocks (``widgets``, ``code128``)
and the words (``words``).
What it must not do: import ``plc_io``, SQLAlchemy or the device libraries; let a screen import another screen or
``main``, or a shared module import a screen (pyproject.toml, import-linter).
"""
