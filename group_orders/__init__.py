"""group_orders module (see ../shared/DESIGN.md)."""
