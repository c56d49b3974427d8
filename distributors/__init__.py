"""distributors module (see docs/ARCHITECTURE.md)."""
