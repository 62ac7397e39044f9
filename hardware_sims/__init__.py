"""Simulators of the plant's hardware, speaking the real protocols on 127.0.0.1.

Each simulator is a pure behaviour model driven by an injected clock, wrapped in a thin server of the real
protocol (pymodbus, asyncua, raw ZPL over TCP, ZeroMQ). Production code never imports this package: the
service talks to the simulators exactly as it would to real devices.
"""
