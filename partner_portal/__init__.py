"""Threadline: the portal's shell and shared kernel."""
