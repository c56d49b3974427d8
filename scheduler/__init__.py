"""scheduler module (see ../shared/DESIGN.md)."""
