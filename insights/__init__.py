"""insights module (see ../shared/DESIGN.md)."""
