"""Benchmarks (run as scripts: .venv/bin/python bench/<name>.py); a package so they share bench.run and bench.order_book."""
