"""The engineer's view of the simulated plant: lights, labels, the feed and every fault switch."""
