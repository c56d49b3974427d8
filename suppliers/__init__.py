"""suppliers module (see docs/ARCHITECTURE.md)."""
