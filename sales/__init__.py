"""sales module (see ../shared/DESIGN.md)."""
