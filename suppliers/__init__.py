"""suppliers module (see ../shared/DESIGN.md)."""
