"""Benchmarks, run by hand (`make bench` or `python -m benchmarks`), never by the test suite."""
