"""distributors module (see ../shared/DESIGN.md)."""
