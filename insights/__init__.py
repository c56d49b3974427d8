"""insights module (see docs/ARCHITECTURE.md)."""
