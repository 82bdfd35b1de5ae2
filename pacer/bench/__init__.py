"""Pacer's benchmark suite: a deterministic company-size organization and its measurements.

`pacer bench generate` fills the configured database, `pacer bench run` measures pages, API
operations, check-in writes, import/export and memory; see docs/benchmarks.md.
"""
