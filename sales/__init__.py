"""sales module (see docs/ARCHITECTURE.md)."""
