"""Benchmarks: `make bench` (bench/run.py) measures the system against its own floor."""
