"""Benchmarks for the knowledge base: retrieval quality (bench.retrieval) and speed (bench.perf).

They are scripts that print figures and write JSON under artifacts/bench/,
not timed tests.
"""
