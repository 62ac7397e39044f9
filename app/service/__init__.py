"""The running sequencer service: intake -> journal -> core -> devices, the HMI side, standby, metrics."""
