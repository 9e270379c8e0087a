"""The use cases: evaluate a folio, record its decision, re-upload, sweep. Every entry point (CLI,
API, Prefect flows), the benchmarks and the tests call these; none composes the steps again."""
