"""Network plumbing and keys: the ZeroMQ loop, the CURVE guard and keys, OPC UA certificates."""
