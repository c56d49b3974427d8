"""contracts module (see ../shared/DESIGN.md)."""
