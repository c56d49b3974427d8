"""contracts module (see docs/ARCHITECTURE.md)."""
