"""Benchmarks (`make bench`); none of them is part of `make test`."""
