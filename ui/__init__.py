"""The HMI: PySide6 screens that are clients of the service's HMI bus, never of the database or devices."""
