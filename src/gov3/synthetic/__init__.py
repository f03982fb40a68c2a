"""Synthetic data for demos, tests and benchmarks: residents, vaccinations, Saemaul villages and
evidence photos, petitions, and the benchmarks' Parquet fact snapshots.

Generated data is not the register: this package sits above the domain apps and writes through
their services and bulk loaders (`gov3.registry.bulk_load`), so no domain app imports it
(docs/architecture.md, checked by `lint-imports`).
"""
