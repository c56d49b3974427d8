"""scheduler module (see docs/ARCHITECTURE.md)."""
