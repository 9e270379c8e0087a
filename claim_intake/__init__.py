"""claim-intake's command line (`claim-intake`), its local Prefect server and its error output.

The product's layers live in sibling packages: `domain` (models, rules, settings), `extractors`,
`validators`, `storage`, `sat`, `notify`, `reports`, `processes`, `application` (use cases),
and the entry points `claim_intake` (CLI), `api` and `flows`. Start at docs/architecture.md."""

__version__ = "0.1.0"
