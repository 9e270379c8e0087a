"""What a process needs to evaluate folios, built once per configuration: its settings, rule set
and storage, and (on first use) the CFDI trust store, SAT's stamp certificates and the extraction
cache. Every entry point (the flows, the command line, the benchmark, tests) hands one of these
to the use cases instead of passing the pieces one by one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from domain.config import Ruleset, Settings, current_settings, load_ruleset
from extractors import sandbox
from storage import Storage, open_storage
from storage.extraction_cache import ExtractionCache, reader_fingerprint

if TYPE_CHECKING:  # the CFDI reader pulls in satcfdi and lxml's schemas: loaded on first use only
    from extractors.cfdi_xml import StampCertificates, TrustStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    ruleset: Ruleset
    storage: Storage

    @cached_property
    def trust_store(self) -> TrustStore:
        """The CA store CFDI certificates must chain to (CFDI-021)."""
        from extractors.cfdi_xml import sat_production_store, trust_store_from_dir  # heavy: satcfdi

        if self.settings.cfdi_trust_store is None:
            return sat_production_store()
        return trust_store_from_dir(str(Path(self.settings.cfdi_trust_store).resolve()))

    @cached_property
    def stamp_certificates(self) -> StampCertificates | None:
        """SAT's stamp certificates for SelloSAT (CFDI-004), or None when none are configured."""
        from extractors.cfdi_xml import stamp_certificates_from_dir  # heavy: satcfdi

        if self.settings.sat_stamp_certificates is None:
            return None
        return stamp_certificates_from_dir(str(Path(self.settings.sat_stamp_certificates).resolve()))

    @cached_property
    def extraction_cache(self) -> ExtractionCache:
        """Files already read under this rule set and reading context are not read again."""
        settings = self.settings
        reader = reader_fingerprint(
            settings.cfdi_trust_store and Path(settings.cfdi_trust_store).resolve(),
            settings.sat_stamp_certificates and Path(settings.sat_stamp_certificates).resolve(),
        )
        return ExtractionCache(self.storage.state.engine, self.ruleset.version, reader)


def services_for(settings: Settings, ruleset: Ruleset | None = None, storage: Storage | None = None) -> Services:
    """Services for explicit settings (tests, the benchmark, the command line's `add`)."""
    return Services(settings, ruleset or _ruleset(settings.ruleset_file), storage or open_storage(settings))


def current_services() -> Services:
    """Services as this process's environment says now (CLAIM_INTAKE_*). The rule set and storage
    are built once per configuration: every flow task asks, and rebuilding them cost ~10 ms a
    time."""
    settings = current_settings()
    return Services(settings, _ruleset(settings.ruleset_file), _storage(str(settings.home), settings.db_url))


def shutdown() -> None:
    """Stop what evaluating folios started in this process (the reader pool). Entry points call
    it when they are done; a later evaluation starts it again."""
    sandbox.shutdown()


@lru_cache(maxsize=4)
def _storage(home: str, db_url: str) -> Storage:
    return open_storage(Settings(home=Path(home), database_url=db_url))


@lru_cache(maxsize=4)
def _ruleset(path: Path | None) -> Ruleset:
    return load_ruleset(path)
