"""claim-intake: the domain model, configuration and CLI shared by flows, extractors, validators
and storage."""

__version__ = "0.1.0"
