"""The service's HMI side: the bus, the command channel and its wire format, accounts and roles."""
