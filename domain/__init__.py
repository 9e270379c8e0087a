"""The domain: what a folio, a document kind, an extraction, a finding, a decision and a rule are,
and the configuration that tunes the rules. Pydantic models and plain functions; it imports
nothing else of claim-intake, so every other layer can speak it (docs/architecture.md)."""
