"""The HMI's end in the service: the bus, the command channel and its wire format, accounts and roles.

Must not: import the running service (``app.service`` wires these in), or let a screen decide anything the core or
the role table decides.
"""
