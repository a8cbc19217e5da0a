"""Timings that print tables: each module runs from the project's root as
`python -m benchmarks.NAME`; benchmarks/README.md says what each one measures."""
