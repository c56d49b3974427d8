"""group_orders module (see docs/ARCHITECTURE.md)."""
