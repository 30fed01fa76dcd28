"""casebridge benchmarks (see bench/README.md)."""
