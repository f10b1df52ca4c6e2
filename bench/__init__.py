"""Benchmarks of the portal's pages: run ``python bench/pages.py``."""
