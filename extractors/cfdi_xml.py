"""CFDI XML: bytes in, `CfdiParse` out (extraction + what the CFDI rules need to decide).

Everything an attacker controls goes through one strict lxml parser (no entities, no DTD, no
network, no recover mode, size-limited), and nothing raises out of `parse_cfdi`: a malformed,
foreign or unsupported document comes back with `error_kind` set, because a bad upload is a
finding for the claimant, not a crash of the pipeline.

The three expensive checks are done here, once, on the original tree, so validators stay pure:
- XSD: SAT's schemas as shipped inside satcfdi, compiled once per process and version. The four
  huge catalogue enumerations (ClaveProdServ, CodigoPostal, ClaveUnidad, Colonia: ~160k values,
  which libxml2 scans linearly, ~6 ms per document) are compiled as patterns and their membership
  is checked against Python sets for the Comprobante's own attributes, which keeps the same
  verdict at ~0.1 ms. Inside complements those four catalogues are checked by pattern only.
- Seal: the cadena original comes from SAT's XSLT applied to the original tree (not a
  re-serialisation), verified with SHA256withRSA against the embedded certificate.
- Chain (CFDI-021): the certificate's issuer must be in a trust store (SAT's production CAs by
  default, or a directory of CA certificates).
- Stamp seal (CFDI-004): the TimbreFiscalDigital's SelloSAT, verified over the TFD 1.1 cadena
  original (SAT's XSLT, shipped in satcfdi) with SHA256withRSA against the SAT stamp certificate
  named by NoCertificadoSAT, looked up in a local directory (`stamp_certificates_from_dir`).
  Without that certificate the stamp seal is reported as not checked, never as invalid."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import satcfdi.catalogs as catalogs
import satcfdi.transform as sat_transform
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from satcfdi.cfdi import CFDI

from domain.extractions import CfdiExtraction, Concept, TaxLine

log = logging.getLogger(__name__)

MAX_XML_BYTES = 4 * 1024 * 1024  # a real CFDI is a few KB; 4 MiB leaves room for big addenda
SUPPORTED_VERSIONS = ("4.0", "3.3")
NS_CFDI = {"4.0": "http://www.sat.gob.mx/cfd/4", "3.3": "http://www.sat.gob.mx/cfd/3"}
CFDI_NAMESPACES = frozenset(NS_CFDI.values()) | {"http://www.sat.gob.mx/cfd/2"}
NS_TFD = "http://www.sat.gob.mx/TimbreFiscalDigital"
NS_IMPLOCAL = "http://www.sat.gob.mx/implocal"
NS_PAGOS = ("http://www.sat.gob.mx/Pagos20", "http://www.sat.gob.mx/Pagos")
OID_UNIQUE_ID = x509.ObjectIdentifier("2.5.4.45")  # x500UniqueIdentifier: "RFC / RFC representante"
MEXICO_CENTRAL = timezone(timedelta(hours=-6))  # Fecha carries no zone; close enough for validity

ErrorKind = Literal["malformed", "not_cfdi", "version"]


# ----------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SealCheck:
    """CFDI-003. `verified` is True only when signature, certificate number and RFC all agree."""

    verified: bool
    signature_valid: bool | None = None  # the RSA signature alone (None: could not be tried)
    reason: str | None = (
        None  # missing_seal | certificate_unreadable | bad_signature | number_mismatch | rfc_mismatch | cadena_failed
    )
    certificate_number: str | None = None  # from the certificate itself
    certificate_rfc: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    valid_at_issue: bool | None = None  # Fecha inside the certificate's validity


@dataclass(frozen=True)
class ChainCheck:
    """CFDI-021: does the issuer certificate chain to the configured trust store."""

    trusted: bool
    reason: str | None = None  # issuer_not_in_store | bad_issuer_signature | no_certificate
    issuer: str | None = None  # issuer DN of the CSD (an authority, not personal data)
    store: str = ""


@dataclass(frozen=True)
class StampCheck:
    """CFDI-004 (stamp seal). `verified`: True the SelloSAT verifies, False it does not (a
    rejection), None it was not checked; `reason` says why it failed or was not checked."""

    verified: bool | None
    reason: str | None = None  # False: bad_signature | missing_seal | cadena_failed
    # None: no_tfd | no_directory | certificate_not_available | certificate_unreadable |
    #       certificate_number_mismatch | unsupported_version
    certificate_number: str | None = None  # NoCertificadoSAT as declared in the TFD
    store: str | None = None


@dataclass(frozen=True)
class ConceptAmounts:
    """Concept-level numbers CFDI-014 and CFDI-019 need beyond the extraction."""

    quantity: Decimal | None
    unit_value: Decimal | None
    amount: Decimal | None
    discount: Decimal | None
    transferred: tuple[
        tuple[str, str, Decimal | None, Decimal | None, Decimal | None], ...
    ] = ()  # (tax, factor, rate, base, amount)
    withheld: tuple[tuple[str, str, Decimal | None, Decimal | None, Decimal | None], ...] = ()


@dataclass(frozen=True)
class CfdiParse:
    """The whole answer for one XML. When `error_kind` is set the other checks were not run."""

    extraction: CfdiExtraction | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    version: str | None = None
    schema_checked: bool = False
    schema_errors: tuple[str, ...] = ()
    seal: SealCheck | None = None
    chain: ChainCheck | None = None
    stamp: StampCheck | None = None  # None when seals were not checked (check_seal=False)
    concepts: tuple[ConceptAmounts, ...] = ()
    extraction_error: str | None = None  # satcfdi could not read a schema-invalid document
    encoding: str | None = None  # the document's encoding when it is not UTF-8 (Anexo 20 requires UTF-8)

    @property
    def ok(self) -> bool:
        return self.error_kind is None


# ------------------------------------------------------------------------------ trust store


@dataclass(frozen=True)
class TrustStore:
    """CA certificates indexed by subject; any certificate in it is a trust anchor."""

    name: str
    by_subject: dict[bytes, tuple[x509.Certificate, ...]] = field(default_factory=dict)
    # certificate -> ChainCheck: one RSA verification per issuer certificate, not per invoice
    verdicts: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_certificates(cls, name: str, certs: list[x509.Certificate]) -> TrustStore:
        index: dict[bytes, list[x509.Certificate]] = {}
        for cert in certs:
            index.setdefault(cert.subject.public_bytes(), []).append(cert)
        return cls(name, {k: tuple(v) for k, v in index.items()})

    def issuers_of(self, cert: x509.Certificate) -> tuple[x509.Certificate, ...]:
        return self.by_subject.get(cert.issuer.public_bytes(), ())


def _load_any_cert(data: bytes) -> x509.Certificate | None:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        return None


@lru_cache(maxsize=16)
def trust_store_from_dir(path: str) -> TrustStore:
    """Every .cer/.crt/.pem/.der file in `path` (DER or PEM) is a trusted CA. Cached per path."""
    certs = []
    directory = Path(path)
    if directory.is_dir():
        for item in sorted(directory.iterdir()):
            if (
                item.suffix.lower() in {".cer", ".crt", ".pem", ".der"}
                and item.is_file()
                and (cert := _load_any_cert(item.read_bytes())) is not None
            ):
                certs.append(cert)
    return TrustStore.from_certificates(f"dir:{directory.name}", certs)


@lru_cache(maxsize=1)
def sat_production_store() -> TrustStore:
    """SAT's production CAs, as shipped with satcfdi (CertsProd.zip)."""
    certs = []
    with zipfile.ZipFile(os.path.join(os.path.dirname(sat_transform.__file__), "CertsProd.zip")) as zf:
        for info in zf.infolist():
            if (cert := _load_any_cert(zf.read(info))) is not None:
                certs.append(cert)
    return TrustStore.from_certificates("sat-production", certs)


# ---------------------------------------------------------------------- SAT stamp certificates

_CERT_NUMBER = re.compile(r"[0-9]{1,40}")


class StampCertificates:
    """SAT stamp certificates in a local directory, one file per certificate named
    `<NoCertificadoSAT>.cer` (DER or PEM). Looked up by number on demand, so a certificate
    dropped into the directory later is found without a restart; a loaded one is kept."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.name = f"dir:{self.directory.name}"
        self._loaded: dict[str, x509.Certificate] = {}

    def get(self, number: str) -> tuple[x509.Certificate | None, str | None]:
        """(certificate, None) or (None, why not). `number` is attacker-controlled: only digits
        ever reach the file system."""
        cert = self._loaded.get(number)
        if cert is not None:
            return cert, None
        if not _CERT_NUMBER.fullmatch(number):
            return None, "certificate_not_available"
        path = self.directory / f"{number}.cer"
        try:
            data = path.read_bytes()
        except OSError:
            return None, "certificate_not_available"
        cert = _load_any_cert(data)
        if cert is None or not isinstance(cert.public_key(), rsa.RSAPublicKey):
            log.warning("cfdi: stamp certificate %s cannot be read as an RSA certificate", path)
            return None, "certificate_unreadable"
        if _certificate_number(cert.serial_number) != number:
            log.warning("cfdi: stamp certificate %s carries another certificate number", path)
            return None, "certificate_number_mismatch"
        self._loaded[number] = cert
        return cert, None


@lru_cache(maxsize=16)
def stamp_certificates_from_dir(path: str) -> StampCertificates:
    """The stamp-certificate directory at `path` (one object per path and process)."""
    return StampCertificates(Path(path))


# ------------------------------------------------------------------------------- XML parsing

_local = threading.local()


def _parser() -> etree.XMLParser:
    """lxml parsers are not thread-safe: one per thread."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            recover=False,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            collect_ids=False,
            remove_comments=True,
            remove_pis=True,  # satcfdi cannot read them; no meaning in a CFDI
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes) -> etree._Element:
    """Strict parse; raises ValueError with a plain message. DOCTYPEs are refused outright: no
    CFDI has one, and they are how entity attacks start."""
    if len(data) > MAX_XML_BYTES:
        raise ValueError(f"el archivo mide {len(data)} bytes; el límite para un XML es {MAX_XML_BYTES}")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc)) from None
    if root.getroottree().docinfo.doctype:
        raise ValueError("el XML declara un DOCTYPE, que un CFDI no puede tener")
    return root


# ------------------------------------------------------------------------------------ schema

_XS = "{http://www.w3.org/2001/XMLSchema}"
_PATCHED_CATALOGUES = {
    "c_CodigoPostal": "[0-9]{5}",
    "c_ClaveProdServ": "[0-9]{8}",
    "c_Colonia": "[0-9]{4}",
    "c_ClaveUnidad": "[A-Z0-9]{1,3}",
}
# Namespaces with two XSDs in satcfdi: which one each CFDI version uses.
_SKIP_FOR = {
    "4.0": {"3/cfdv32.xsd", "3/cfdv33.xsd", "TimbreFiscalDigital/TimbreFiscalDigital.xsd", "ine/ine10.xsd"},
    "3.3": {"3/cfdv32.xsd", "4/cfdv40.xsd", "TimbreFiscalDigital/TimbreFiscalDigital.xsd", "ine/ine10.xsd"},
}
_schema_lock = threading.Lock()


def _schema_root() -> Path:
    return Path(sat_transform.SCHEMA_ROOT)


def _catalogue_path() -> Path:
    return _schema_root() / "www.sat.gob.mx/sitio_internet/cfd/catalogos/catCFDI.xsd"


@lru_cache(maxsize=1)
def _patched_catalogue() -> bytes:
    tree = etree.parse(str(_catalogue_path()))
    for simple in tree.getroot().iterfind(_XS + "simpleType"):
        if (pattern := _PATCHED_CATALOGUES.get(simple.get("name"))) is not None:
            restriction = simple.find(_XS + "restriction")
            for child in list(restriction):
                restriction.remove(child)
            etree.SubElement(restriction, _XS + "pattern", value=pattern)
    return etree.tostring(tree)


@lru_cache(maxsize=1)
def catalogue_sets() -> dict[str, frozenset[str]]:
    """The four big catalogues, as sets (parsed once, ~0.2 s)."""
    tree = etree.parse(str(_catalogue_path()))
    out = {}
    for simple in tree.getroot().iterfind(_XS + "simpleType"):
        name = simple.get("name")
        if name in _PATCHED_CATALOGUES:
            out[name] = frozenset(e.get("value") for e in simple.iter(_XS + "enumeration"))
    return out


class _CatalogueResolver(etree.Resolver):
    def resolve(self, system_url, public_id, context):
        if system_url and system_url.replace("\\", "/").endswith("catalogos/catCFDI.xsd"):
            return self.resolve_string(_patched_catalogue(), context)
        return None


def compiled_schema(version: str) -> etree.XMLSchema:
    """SAT XSD for the version with every complement satcfdi ships. Compiled once (~0.2 s)."""
    with _schema_lock:
        return _compile_schema(version)


@lru_cache(maxsize=4)
def _compile_schema(version: str) -> etree.XMLSchema:
    base = _schema_root() / "www.sat.gob.mx/sitio_internet/cfd"
    skip = _SKIP_FOR[version]
    imports = []
    for path in sorted(base.rglob("*.xsd")):
        rel = path.relative_to(base).as_posix()
        if rel in skip or rel.startswith(("catalogos/", "tipoDatos/")):
            continue
        namespace = etree.parse(str(path)).getroot().get("targetNamespace")
        imports.append(f'<xs:import namespace="{namespace}" schemaLocation="{path.as_uri()}"/>')
    driver = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + "".join(imports) + "</xs:schema>"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_CatalogueResolver())
    doc = etree.fromstring(driver.encode(), parser, base_url=(_schema_root() / "driver.xsd").as_uri())
    return etree.XMLSchema(doc)


def schema_errors(root: etree._Element, version: str, limit: int = 10) -> tuple[str, ...]:
    """XSD errors (Addenda removed from a copy first: it is the issuer's free space) plus
    catalogue membership for the attributes whose enumerations were compiled as patterns."""
    target = root
    ns = NS_CFDI[version]
    addenda = root.findall(f"{{{ns}}}Addenda")
    if addenda:
        target = etree.fromstring(etree.tostring(root), _parser())
        for node in target.findall(f"{{{ns}}}Addenda"):
            target.remove(node)
    schema = compiled_schema(version)
    errors: list[str] = []
    if not schema.validate(target):
        errors = [f"línea {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]
        return tuple(errors)
    cats = catalogue_sets()
    checks = [("LugarExpedicion", root.get("LugarExpedicion"), "c_CodigoPostal")]
    for concept in root.iterfind(f"{{{ns}}}Conceptos/{{{ns}}}Concepto"):
        checks.append(("ClaveProdServ", concept.get("ClaveProdServ"), "c_ClaveProdServ"))
        checks.append(("ClaveUnidad", concept.get("ClaveUnidad"), "c_ClaveUnidad"))
        for part in concept.iterfind(f"{{{ns}}}Parte"):
            checks.append(("ClaveProdServ", part.get("ClaveProdServ"), "c_ClaveProdServ"))
    for attr, value, catalogue in checks:
        if value is not None and value not in cats[catalogue]:
            errors.append(f"{attr} '{value}' no está en el catálogo {catalogue} del SAT")
    return tuple(errors[:limit])


# -------------------------------------------------------------------------------------- seal


@lru_cache(maxsize=4)
def _cadena_xslt(version: str) -> etree.XSLT:
    return sat_transform.xslt_transform(f"{{{NS_CFDI[version]}}}Comprobante", version)


def cadena_original(root: etree._Element, version: str) -> str:
    return str(_cadena_xslt(version)(root))


@dataclass(frozen=True)
class _CertInfo:
    cert: x509.Certificate
    number: str | None
    rfc: str | None


def _certificate_number(serial: int) -> str | None:
    """SAT puts the 20 ASCII digits of NoCertificado in the serial number's bytes."""
    raw = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if text.isdigit() else None


@lru_cache(maxsize=512)
def _certificate_info(b64: str) -> _CertInfo | None:
    """Parsed once per distinct certificate: issuers reuse one CSD for thousands of invoices."""
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode("".join(b64.split()), validate=True))
    except (ValueError, binascii.Error):
        return None
    rfc = None
    try:  # cryptography parses the subject lazily; SAT's old samples have odd encodings
        for attr in cert.subject.get_attributes_for_oid(OID_UNIQUE_ID):
            value = attr.value if isinstance(attr.value, str) else attr.value.decode("latin-1")
            rfc = value.split("/")[0].strip().upper() or None
            break
        cert.issuer.public_bytes()
    except ValueError:
        return None
    return _CertInfo(cert, _certificate_number(cert.serial_number), rfc)


def _verify_rsa_sha256(cert: x509.Certificate, signature: bytes, data: bytes) -> None:
    """SHA256withRSA, the only scheme SAT uses; raises InvalidSignature, or ValueError for a key
    that is not RSA (such a certificate cannot have made the seal)."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the certificate's key is not RSA")
    key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def verify_seal(
    root: etree._Element, version: str, issuer_rfc: str | None, issued_at: datetime | None
) -> tuple[SealCheck, _CertInfo | None]:
    seal_b64, cert_b64 = root.get("Sello") or "", root.get("Certificado") or ""
    declared_number = (root.get("NoCertificado") or "").strip()
    if not seal_b64.strip() or not cert_b64.strip():
        return SealCheck(False, None, "missing_seal"), None
    info = _certificate_info(cert_b64)
    if info is None or not isinstance(info.cert.public_key(), rsa.RSAPublicKey):
        return SealCheck(False, None, "certificate_unreadable"), None
    cert = info.cert
    valid = None
    if issued_at is not None:
        at = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=MEXICO_CENTRAL)
        valid = cert.not_valid_before_utc <= at <= cert.not_valid_after_utc
    base: dict[str, Any] = dict(
        certificate_number=info.number,
        certificate_rfc=info.rfc,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        valid_at_issue=valid,
    )
    try:
        signature = base64.b64decode("".join(seal_b64.split()), validate=True)
        cadena = cadena_original(root, version).encode("utf-8")
    except (ValueError, binascii.Error):
        return SealCheck(False, False, "bad_signature", **base), info
    except etree.XSLTError:
        return SealCheck(False, None, "cadena_failed", **base), info
    try:
        _verify_rsa_sha256(cert, signature, cadena)
    except (InvalidSignature, ValueError):
        return SealCheck(False, False, "bad_signature", **base), info
    if info.number != declared_number:
        return SealCheck(False, True, "number_mismatch", **base), info
    if issuer_rfc is None or info.rfc != issuer_rfc.strip().upper():
        return SealCheck(False, True, "rfc_mismatch", **base), info
    return SealCheck(True, True, None, **base), info


@lru_cache(maxsize=1)
def _tfd_xslt() -> etree.XSLT:
    return sat_transform.xslt_transform(f"{{{NS_TFD}}}TimbreFiscalDigital", "1.1")


def tfd_cadena_original(tfd: etree._Element) -> str:
    """SAT's TFD 1.1 cadena original. lxml runs an XSLT given an element with that element as
    the document root, which is what the stylesheet's `/tfd:TimbreFiscalDigital` expects."""
    return str(_tfd_xslt()(tfd))


def verify_stamp(root: etree._Element, version: str, certificates: StampCertificates | None) -> StampCheck:
    """CFDI-004, stamp seal: SelloSAT over the TFD cadena original with SHA256withRSA."""
    tfd = next(root.iterfind(f"{{{NS_CFDI[version]}}}Complemento/{{{NS_TFD}}}TimbreFiscalDigital"), None)
    if tfd is None:
        return StampCheck(None, "no_tfd")
    number = (tfd.get("NoCertificadoSAT") or "").strip()
    store = certificates.name if certificates is not None else None
    if certificates is None:
        return StampCheck(None, "no_directory", number or None)
    if (tfd.get("Version") or "").strip() != "1.1":
        return StampCheck(None, "unsupported_version", number or None, store)
    cert, why = certificates.get(number)
    if cert is None:
        return StampCheck(None, why, number or None, store)
    seal_b64 = "".join((tfd.get("SelloSAT") or "").split())
    if not seal_b64:
        return StampCheck(False, "missing_seal", number, store)
    try:
        signature = base64.b64decode(seal_b64, validate=True)
        cadena = tfd_cadena_original(tfd).encode("utf-8")
    except (ValueError, binascii.Error):
        return StampCheck(False, "bad_signature", number, store)
    except etree.XSLTError:
        return StampCheck(False, "cadena_failed", number, store)
    try:
        _verify_rsa_sha256(cert, signature, cadena)
    except (InvalidSignature, ValueError):
        return StampCheck(False, "bad_signature", number, store)
    return StampCheck(True, None, number, store)


def verify_chain(info: _CertInfo | None, store: TrustStore) -> ChainCheck:
    if info is None:
        return ChainCheck(False, "no_certificate", None, store.name)
    verdict = store.verdicts.get(info.cert)
    if verdict is None:
        verdict = store.verdicts[info.cert] = _verify_chain(info, store)
    return verdict


def _verify_chain(info: _CertInfo, store: TrustStore) -> ChainCheck:
    issuer = info.cert.issuer.rfc4514_string()
    candidates = store.issuers_of(info.cert)
    if not candidates:
        return ChainCheck(False, "issuer_not_in_store", issuer, store.name)
    for ca in candidates:
        try:
            info.cert.verify_directly_issued_by(ca)
            return ChainCheck(True, None, issuer, store.name)
        except (ValueError, TypeError, InvalidSignature):
            continue
    return ChainCheck(False, "bad_issuer_signature", issuer, store.name)


# -------------------------------------------------------------------------------- extraction


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _code(value) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "code", value)).strip() or None


def _seq(node) -> list:
    """A node satcfdi gives as one map or as a list of maps: always a list."""
    if node is None:
        return []
    return node if isinstance(node, list) else [node]


def _taxes(node) -> list:
    """Tax nodes: satcfdi keys them by "impuesto|factor|tasa" in a dict, or gives a list."""
    if isinstance(node, dict) and not ({"Impuesto", "ImpLocRetenido", "ImpLocTrasladado"} & node.keys()):
        return [v for v in node.values() if isinstance(v, dict)]
    return _seq(node)


def _tax_tuple(tax: dict) -> tuple:
    return (
        _code(tax.get("Impuesto")) or "",
        _code(tax.get("TipoFactor")) or "",
        _dec(tax.get("TasaOCuota")),
        _dec(tax.get("Base")),
        _dec(tax.get("Importe")),
    )


@lru_cache(maxsize=1)
def _satcfdi_catalogs_memoized() -> None:
    """satcfdi looks every coded attribute up in its read-only SQLite catalogue file, one query
    each: 0.3 of the 0.4 ms it takes to build a CFDI's objects. The file never changes under a
    running process, so each (catalogue, key) answer is kept; unhashable keys go straight
    through. satcfdi has no cache or hook of its own (`catalog_code` finds `select` as a module
    global), so this replaces it: explicitly, once per process, from `_extract` where a CFDI is
    read; never at import (tests/unit/test_import_effects.py)."""

    select = catalogs.select
    cached = lru_cache(maxsize=16384)(select)

    def memo_select(catalog_name, key):
        try:
            return cached(catalog_name, key)
        except TypeError:
            return select(catalog_name, key)

    catalogs.select = memo_select


def _extract(root: etree._Element, version: str) -> tuple[CfdiExtraction, tuple[ConceptAmounts, ...]]:
    _satcfdi_catalogs_memoized()
    c = CFDI.from_xml(root)
    emisor, receptor = c.get("Emisor") or {}, c.get("Receptor") or {}
    complemento = c.get("Complemento") or {}
    tfd = complemento.get("TimbreFiscalDigital") if isinstance(complemento, dict) else None
    if isinstance(tfd, list):
        tfd = tfd[0] if tfd else None
    implocal = complemento.get("ImpuestosLocales") if isinstance(complemento, dict) else None
    if isinstance(implocal, list):
        implocal = implocal[0] if implocal else None

    concepts, details = [], []
    rates_by_tax: dict[str, set[Decimal]] = {}
    for concepto in _seq(c.get("Conceptos")):
        imp = concepto.get("Impuestos") or {}
        transferred = tuple(_tax_tuple(t) for t in _taxes(imp.get("Traslados")))
        withheld = tuple(_tax_tuple(t) for t in _taxes(imp.get("Retenciones")))
        for tax, _factor, rate, _base, _amount in withheld:
            if rate is not None:
                rates_by_tax.setdefault(tax, set()).add(rate)
        concepts.append(
            Concept(
                clave_prod_serv=_code(concepto.get("ClaveProdServ")) or "",
                description=str(concepto.get("Descripcion") or ""),
                amount=_dec(concepto.get("Importe")) or Decimal(0),
                discount=_dec(concepto.get("Descuento")),
            )
        )
        details.append(
            ConceptAmounts(
                _dec(concepto.get("Cantidad")),
                _dec(concepto.get("ValorUnitario")),
                _dec(concepto.get("Importe")),
                _dec(concepto.get("Descuento")),
                transferred,
                withheld,
            )
        )

    impuestos = c.get("Impuestos") or {}
    withholdings = []
    for ret in _taxes(impuestos.get("Retenciones")):
        tax = _code(ret.get("Impuesto")) or ""
        rates = rates_by_tax.get(tax, set())
        withholdings.append(
            TaxLine(
                tax=tax,
                amount=_dec(ret.get("Importe")) or Decimal(0),
                rate=next(iter(rates)) if len(rates) == 1 else None,
            )
        )
    local_withheld = local_transferred = None
    if isinstance(implocal, dict):
        local_withheld = _dec(implocal.get("TotaldeRetenciones"))
        local_transferred = _dec(implocal.get("TotaldeTraslados"))
        for ret in _taxes(implocal.get("RetencionesLocales")):
            rate = _dec(ret.get("TasadeRetencion"))
            withholdings.append(
                TaxLine(
                    tax=str(ret.get("ImpLocRetenido") or "").strip(),
                    amount=_dec(ret.get("Importe")) or Decimal(0),
                    rate=rate / 100 if rate is not None else None,
                    local=True,
                )
            )

    related = []
    if isinstance(complemento, dict):
        for pagos in _seq(complemento.get("Pagos")):
            for pago in _seq(pagos.get("Pago")):
                for docto in _seq(pago.get("DoctoRelacionado")):
                    if docto.get("IdDocumento"):
                        related.append(str(docto["IdDocumento"]).strip().upper())

    sello = str(c.get("Sello") or "")
    doc_type = _code(c.get("TipoDeComprobante"))
    extraction = CfdiExtraction(
        kind="payment_complement" if doc_type == "P" else "cfdi_xml",
        version=version,
        uuid=str(tfd["UUID"]).strip().upper() if tfd and tfd.get("UUID") else None,
        serie=_str(c.get("Serie")),
        folio=_str(c.get("Folio")),
        issued_at=c.get("Fecha") if isinstance(c.get("Fecha"), datetime) else None,
        doc_type=doc_type,
        issuer_rfc=_rfc(emisor.get("Rfc")),
        issuer_name=_str(emisor.get("Nombre")),
        issuer_regime=_code(emisor.get("RegimenFiscal")),
        receiver_rfc=_rfc(receptor.get("Rfc")),
        receiver_name=_str(receptor.get("Nombre")),
        receiver_postal_code=_str(receptor.get("DomicilioFiscalReceptor")),
        receiver_regime=_code(receptor.get("RegimenFiscalReceptor")),
        cfdi_use=_code(receptor.get("UsoCFDI")),
        payment_method=_code(c.get("MetodoPago")),
        payment_form=_code(c.get("FormaPago")),
        currency=_code(c.get("Moneda")),
        subtotal=_dec(c.get("SubTotal")),
        discount=_dec(c.get("Descuento")),
        total=_dec(c.get("Total")),
        total_transferred=_dec(impuestos.get("TotalImpuestosTrasladados")),
        total_withheld=_dec(impuestos.get("TotalImpuestosRetenidos")),
        concepts=concepts,
        withholdings=withholdings,
        certificate_number=_str(c.get("NoCertificado")),
        seal_tail=sello[-8:] if sello else None,
        stamped=tfd is not None,
        stamp_seal_matches=(str(tfd.get("SelloCFD") or "") == sello) if tfd is not None else None,
        stamped_at=tfd.get("FechaTimbrado")
        if tfd is not None and isinstance(tfd.get("FechaTimbrado"), datetime)
        else None,
        related_documents=related,
        place_of_issue=_str(c.get("LugarExpedicion")),
        local_transferred=local_transferred,
        local_withheld=local_withheld,
    )
    return extraction, tuple(details)


def _str(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _rfc(value) -> str | None:
    text = _str(value)
    return text.upper() if text else None


def _fallback_extraction(root: etree._Element, version: str | None) -> CfdiExtraction:
    """Top-level attributes read straight from the tree, for documents satcfdi cannot read
    (an unsupported version or a schema-invalid one): enough for the report to say which
    invoice it is."""

    def first(local: str):
        return next((el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == local), None)

    tfd = next((el for el in root.iter(f"{{{NS_TFD}}}TimbreFiscalDigital")), None)
    emisor, receptor = first("Emisor"), first("Receptor")
    fecha = root.get("Fecha") or root.get("fecha")
    try:
        issued = datetime.fromisoformat(fecha) if fecha else None
    except ValueError:
        issued = None
    sello = root.get("Sello") or root.get("sello") or ""
    return CfdiExtraction(
        version=version,
        uuid=(tfd.get("UUID") or "").strip().upper() or None if tfd is not None else None,
        serie=_str(root.get("Serie") or root.get("serie")),
        folio=_str(root.get("Folio") or root.get("folio")),
        issued_at=issued,
        doc_type=_str(root.get("TipoDeComprobante")),
        issuer_rfc=_rfc(emisor.get("Rfc") or emisor.get("rfc")) if emisor is not None else None,
        receiver_rfc=_rfc(receptor.get("Rfc") or receptor.get("rfc")) if receptor is not None else None,
        total=_dec(root.get("Total") or root.get("total")),
        seal_tail=sello[-8:] or None,
        stamped=tfd is not None,
        stamp_seal_matches=(tfd.get("SelloCFD") == sello) if tfd is not None else None,
    )


# ------------------------------------------------------------------------------------ public


def parse_cfdi(
    data: bytes,
    *,
    trust_store: TrustStore | None = None,
    check_schema: bool = True,
    check_seal: bool = True,
    stamp_certificates: StampCertificates | str | os.PathLike | None = None,
) -> CfdiParse:
    """Parse, extract and run the offline checks (XSD, seal, chain, stamp seal) on one CFDI.
    Never raises for bad input; the problem is in `error`/`error_kind` or in the check results.
    `stamp_certificates` is the SAT stamp-certificate directory (a StampCertificates or a path);
    None: the SelloSAT is not checked and the extraction says so."""
    if stamp_certificates is not None and not isinstance(stamp_certificates, StampCertificates):
        stamp_certificates = stamp_certificates_from_dir(str(Path(stamp_certificates).resolve()))
    try:
        return _parse(data, trust_store, check_schema, check_seal, stamp_certificates)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise on bad input"
        log.warning("cfdi: unexpected %s while parsing (%d bytes)", type(exc).__name__, len(data))
        return CfdiParse(error=f"error inesperado al leer el XML ({type(exc).__name__})", error_kind="malformed")


def _parse(
    data: bytes,
    trust_store: TrustStore | None,
    check_schema: bool,
    check_seal: bool,
    stamp_certificates: StampCertificates | None = None,
) -> CfdiParse:
    try:
        root = parse_xml(data)
    except ValueError as exc:
        return CfdiParse(error=str(exc), error_kind="malformed")
    encoding = _non_utf8_encoding(root)
    qname = etree.QName(root)
    if qname.localname != "Comprobante" or qname.namespace not in CFDI_NAMESPACES:
        return CfdiParse(
            error=f"el elemento raíz es {{{qname.namespace}}}{qname.localname}, no cfdi:Comprobante",
            error_kind="not_cfdi",
        )
    version = (root.get("Version") or root.get("version") or "").strip()
    expected_ns = NS_CFDI.get(version)
    if version not in SUPPORTED_VERSIONS or expected_ns != qname.namespace:
        shown = version or "sin versión"
        return CfdiParse(
            extraction=_fallback_extraction(root, version or None),
            version=version or None,
            error=f"CFDI versión {shown} (espacio de nombres {qname.namespace})",
            error_kind="version",
        )

    errors = schema_errors(root, version) if check_schema else ()
    extraction_error = None
    try:
        extraction, concepts = _extract(root, version)
    except Exception as exc:  # noqa: BLE001 - satcfdi chokes on some schema-invalid trees
        extraction, concepts = _fallback_extraction(root, version), ()
        extraction_error = f"{type(exc).__name__}: {exc}"[:200]
    seal = chain = stamp = None
    if check_seal:
        seal, info = verify_seal(root, version, extraction.issuer_rfc, extraction.issued_at)
        chain = verify_chain(info, trust_store or sat_production_store())
        stamp = verify_stamp(root, version, stamp_certificates)
        extraction = extraction.model_copy(
            update={
                "sat_certificate_number": stamp.certificate_number,
                "sat_seal_verified": stamp.verified,
                "sat_seal_not_checked": stamp.reason if stamp.verified is None else None,
            }
        )
    return CfdiParse(
        extraction=extraction,
        version=version,
        schema_checked=check_schema,
        schema_errors=errors,
        seal=seal,
        chain=chain,
        stamp=stamp,
        concepts=concepts,
        extraction_error=extraction_error,
        encoding=encoding,
    )


def _non_utf8_encoding(root: etree._Element) -> str | None:
    """The encoding lxml read the document in (byte-order mark or declaration) when it is not
    UTF-8: a CFDI in UTF-16, UTF-32 or Latin-1 parses, but Anexo 20 requires UTF-8 (CFDI-002)."""
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    return None if encoding in ("UTF-8", "UTF8") else encoding


def warm_up(versions: tuple[str, ...] = SUPPORTED_VERSIONS) -> None:
    """Compile schemas, XSLTs and catalogue sets ahead of the first document (worker start)."""
    for version in versions:
        compiled_schema(version)
        _cadena_xslt(version)
    catalogue_sets()
    sat_production_store()
    _tfd_xslt()
