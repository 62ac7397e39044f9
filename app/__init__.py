"""The composition root: plant config, persistence, the asyncio runtime, the intake, the HMI bus, the CLI."""
