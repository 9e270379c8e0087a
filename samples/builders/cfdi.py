"""Deterministic CFDI builders for the sample generator and the tests.

A private test PKI (root CA, issuer CSDs shaped like SAT's, a PAC certificate) is created once
under samples/pki/ and reused, so that the same call always gives the same bytes: RSA
signatures (PKCS#1 v1.5) are deterministic once the keys are fixed. Nothing here is trusted by
SAT: these invoices verify against `trust_store_dir()` only, and their stamps (SelloSAT, signed by
the test PAC) against `stamp_certificates_dir()` only.

CSDs of the samples' own issuers live in samples/pki/ (committed). A CSD for any other RFC (tests,
the benchmark) is created under `SCRATCH_PKI_DIR`, a temporary directory, so that running them
never adds files to the repository."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from lxml import etree
from satcfdi.models import Signer

PKI_DIR = Path(__file__).resolve().parent.parent / "pki"
# CSDs for RFCs that are not the samples' own (signed by the same test root CA).
SCRATCH_PKI_DIR = Path(tempfile.gettempdir()) / f"claim-intake-test-pki-{os.getuid() if hasattr(os, 'getuid') else 0}"
PAC_CERTIFICATE_NUMBER = "30001000000500000001"
KEY_PASSWORD = b"12345678a"  # same convention as SAT's public test CSDs
ROOT_NAME = "AC DE PRUEBAS CLAIM-INTAKE"
PAC_RFC = "SPR190613I52"  # the RFC SAT uses for its test PAC
PAC_NAME = "PAC DE PRUEBAS CLAIM-INTAKE"
NOT_BEFORE = datetime(2023, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2031, 12, 31, 23, 59, 59, tzinfo=UTC)
_OID_UNIQUE = x509.ObjectIdentifier("2.5.4.45")
_lock = threading.RLock()


@dataclass(frozen=True)
class Party:
    rfc: str
    name: str
    regime: str
    postal_code: str


@dataclass(frozen=True)
class Line:
    clave_prod_serv: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    iva_rate: Decimal | None = Decimal("0.16")  # None: IVA-exempt (medical fees are)


# --------------------------------------------------------------------------------------- PKI


def trust_store_dir() -> Path:
    """Directory holding only the test root CA: pass it as the trust store for CFDI-021."""
    _root()
    return PKI_DIR / "trust"


def stamp_certificates_dir() -> Path:
    """Directory of "SAT stamp certificates" for the samples: the test PAC's certificate, named
    by its certificate number (`<NoCertificadoSAT>.cer`, DER). Pass it as `stamp_certificates`
    to extractors.cfdi_xml.parse_cfdi (or CLAIM_INTAKE_SAT_STAMP_CERTIFICATES) to verify SelloSAT."""
    pac_signer()
    directory = PKI_DIR / "sat-stamp"
    target = directory / f"{PAC_CERTIFICATE_NUMBER}.cer"
    if not target.exists():
        with _lock:
            _write_once(target, (PKI_DIR / "pac.cer").read_bytes())
    return directory


def _write_once(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_der(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(KEY_PASSWORD),
    )


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    return serialization.load_der_private_key(path.read_bytes(), KEY_PASSWORD)


@lru_cache(maxsize=1)
def _root() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    with _lock:
        cert_path, key_path = PKI_DIR / "trust" / "root-ca.cer", PKI_DIR / "root-ca.key"
        if cert_path.exists() and key_path.exists():
            return x509.load_der_x509_certificate(cert_path.read_bytes()), _load_key(key_path)
        key = _new_key()
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CLAIM-INTAKE PRUEBAS"),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2040, 12, 31, tzinfo=UTC))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256())
        )
        _write_once(key_path, _key_der(key))
        _write_once(cert_path, cert.public_bytes(serialization.Encoding.DER))
        return cert, key


def certificate_number_for(rfc: str) -> str:
    """20 digits, stable per RFC, in SAT's test range (30001…)."""
    digest = int.from_bytes(hashlib.sha256(rfc.encode()).digest()[:8], "big") % 10**9
    return f"30001000000{digest:09d}"


def _issue(rfc: str, name: str, unit: str | None, number: str) -> tuple[bytes, bytes]:
    root_cert, root_key = _root()
    key = _new_key()
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.NAME, name) if hasattr(NameOID, "NAME") else None,
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(_OID_UNIQUE, rfc, _ASN1Type.PrintableString),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, " / ", _ASN1Type.PrintableString),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([a for a in attrs if a is not None]))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(number.encode("ascii"), "big"))
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER), _key_der(key)


def _signer(stem: str, rfc: str, name: str, unit: str | None, number: str, directory: Path = PKI_DIR) -> Signer:
    with _lock:
        cer, key = directory / f"{stem}.cer", directory / f"{stem}.key"
        if not (cer.exists() and key.exists()):
            cert_der, key_der = _issue(rfc, name, unit, number)
            _write_once(key, key_der)
            _write_once(cer, cert_der)
        return Signer.load(certificate=cer.read_bytes(), key=key.read_bytes(), password=KEY_PASSWORD)


@lru_cache(maxsize=256)
def signer_for(rfc: str, name: str) -> Signer:
    """The test CSD for this RFC: the committed one in samples/pki/ for the samples' issuers,
    else one created on first use under SCRATCH_PKI_DIR (never inside the repository)."""
    rfc = rfc.upper()
    stem = f"csd_{rfc}"
    committed = (PKI_DIR / f"{stem}.cer").exists() and (PKI_DIR / f"{stem}.key").exists()
    return _signer(stem, rfc, name, None, certificate_number_for(rfc), PKI_DIR if committed else SCRATCH_PKI_DIR)


@lru_cache(maxsize=1)
def pac_signer() -> Signer:
    return _signer("pac", PAC_RFC, PAC_NAME, "PAC" + PAC_RFC, PAC_CERTIFICATE_NUMBER)


# -------------------------------------------------------------------------------------- CFDI

_C2 = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(_C2, rounding=ROUND_HALF_UP)


def _naive(moment: datetime) -> datetime:
    """CFDI Fecha is local time without zone."""
    return moment.replace(tzinfo=None, microsecond=0)


def build_cfdi(
    *,
    uuid: str,
    issuer: Party,
    receiver: Party,
    lines: list[Line],
    issued_at: datetime,
    serie: str = "A",
    folio: str = "1001",
    doc_type: str = "I",
    payment_method: str = "PUE",
    payment_form: str = "03",
    cfdi_use: str = "D01",
    isr_withholding_rate: Decimal | None = None,
    cedular_rate: Decimal | None = None,
    stamp: bool = True,
    version: str = "4.0",
    cedular_name: str = "CEDULAR JALISCO",
) -> bytes:
    """A CFDI signed with the issuer's test CSD and (by default) stamped by the test PAC.
    `cedular_rate` adds the implocal complement (a fraction: Decimal("0.03") is 3 %)."""
    from satcfdi.create.cfd import cfdi33, cfdi40, implocal10

    mod = {"4.0": cfdi40, "3.3": cfdi33}[version]
    conceptos = []
    for line in lines:
        traslados = None
        if line.iva_rate is not None:
            traslados = mod.Traslado(
                impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal(line.iva_rate).quantize(Decimal("0.000001"))
            )
        elif version == "4.0":
            traslados = mod.Traslado(impuesto="002", tipo_factor="Exento")
        retenciones = None
        if isr_withholding_rate is not None:
            retenciones = mod.Retencion(
                impuesto="001",
                tipo_factor="Tasa",
                tasa_o_cuota=Decimal(isr_withholding_rate).quantize(Decimal("0.000001")),
            )
        impuestos = mod.Impuestos(traslados=traslados, retenciones=retenciones) if (traslados or retenciones) else None
        kwargs = dict(
            clave_prod_serv=line.clave_prod_serv,
            cantidad=Decimal(line.quantity),
            clave_unidad="E48",
            descripcion=line.description,
            valor_unitario=Decimal(line.unit_price),
            impuestos=impuestos,
        )
        if version == "4.0":
            kwargs["objeto_imp"] = "02" if impuestos else "01"
        conceptos.append(mod.Concepto(**kwargs))

    signer = signer_for(issuer.rfc, issuer.name)
    emisor = mod.Emisor(rfc=issuer.rfc, nombre=issuer.name, regimen_fiscal=issuer.regime)
    if version == "4.0":
        receptor = mod.Receptor(
            rfc=receiver.rfc,
            nombre=receiver.name,
            domicilio_fiscal_receptor=receiver.postal_code,
            regimen_fiscal_receptor=receiver.regime,
            uso_cfdi=cfdi_use,
        )
    else:
        receptor = mod.Receptor(rfc=receiver.rfc, nombre=receiver.name, uso_cfdi=cfdi_use)
    cfdi = mod.Comprobante(
        emisor=emisor,
        lugar_expedicion=issuer.postal_code,
        receptor=receptor,
        conceptos=conceptos,
        tipo_de_comprobante=doc_type,
        serie=serie,
        folio=folio,
        forma_pago=payment_form,
        metodo_pago=payment_method,
        fecha=_naive(issued_at),
    )
    complements: dict = {}
    if cedular_rate is not None:
        base = cfdi["SubTotal"] - (cfdi.get("Descuento") or 0)
        amount = _money(base * Decimal(cedular_rate))
        complements["ImpuestosLocales"] = implocal10.ImpuestosLocales(
            total_de_retenciones=amount,
            total_de_traslados=Decimal("0.00"),
            retenciones_locales=implocal10.RetencionesLocales(
                imp_loc_retenido=cedular_name, tasa_de_retencion=_money(Decimal(cedular_rate) * 100), importe=amount
            ),
        )
        cfdi["Total"] = cfdi["Total"] - amount
    if complements:
        cfdi["Complemento"] = complements
    cfdi.sign(signer)
    if stamp:
        complements["TimbreFiscalDigital"] = _stamp(cfdi, uuid, issued_at)
        cfdi["Complemento"] = complements
    return cfdi.xml_bytes(pretty_print=False, xml_declaration=True)


def _stamp(cfdi, uuid: str, issued_at: datetime):
    from satcfdi.create.cfd import tfd11

    return tfd11.TimbreFiscalDigital(
        proveedor=pac_signer(),
        uuid=uuid.upper(),
        fecha_timbrado=_naive(issued_at) + timedelta(minutes=3),
        sello_cfd=cfdi["Sello"],
    )


def build_payment_complement(
    *,
    uuid: str,
    invoice_uuid: str,
    issuer: Party,
    receiver: Party,
    amount: Decimal,
    paid_at: datetime,
    issued_at: datetime | None = None,
    serie: str = "P",
    folio: str = "1",
    payment_form: str = "03",
    stamp: bool = True,
) -> bytes:
    """A type-P CFDI 4.0 with Pagos 2.0 paying `amount` of the invoice `invoice_uuid` in one
    instalment (no tax breakdown: ObjetoImpDR 01)."""
    from satcfdi.create.cfd import cfdi40, pago20

    amount = _money(Decimal(amount))
    pagos = pago20.Pagos(
        pago=[
            pago20.Pago(
                fecha_pago=_naive(paid_at),
                forma_de_pago_p=payment_form,
                moneda_p="MXN",
                tipo_cambio_p=Decimal(1),
                docto_relacionado=[
                    pago20.DoctoRelacionado(
                        id_documento=invoice_uuid.upper(),
                        moneda_dr="MXN",
                        num_parcialidad=1,
                        imp_saldo_ant=amount,
                        imp_pagado=amount,
                        objeto_imp_dr="01",
                        equivalencia_dr=Decimal(1),
                    )
                ],
            )
        ]
    )
    cfdi = cfdi40.Comprobante.pago(
        emisor=cfdi40.Emisor(rfc=issuer.rfc, nombre=issuer.name, regimen_fiscal=issuer.regime),
        lugar_expedicion=issuer.postal_code,
        receptor=cfdi40.Receptor(
            rfc=receiver.rfc,
            nombre=receiver.name,
            domicilio_fiscal_receptor=receiver.postal_code,
            regimen_fiscal_receptor=receiver.regime,
            uso_cfdi="CP01",
        ),
        complemento_pago=pagos,
        serie=serie,
        folio=folio,
        fecha=_naive(issued_at or paid_at),
    )
    cfdi.sign(signer_for(issuer.rfc, issuer.name))
    if stamp:
        cfdi["Complemento"] = {"Pagos": pagos, "TimbreFiscalDigital": _stamp(cfdi, uuid, issued_at or paid_at)}
    return cfdi.xml_bytes(pretty_print=False, xml_declaration=True)


# --------------------------------------------------------------------------------------- PDF


def build_invoice_pdf(xml: bytes) -> bytes:
    """The "representación impresa" of a CFDI, deterministic (reportlab invariant mode)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"cfdi": etree.QName(root).namespace, "tfd": "http://www.sat.gob.mx/TimbreFiscalDigital"}
    emisor, receptor = root.find("cfdi:Emisor", ns), root.find("cfdi:Receptor", ns)
    tfd = root.find(".//tfd:TimbreFiscalDigital", ns)
    uuid = tfd.get("UUID") if tfd is not None else "SIN TIMBRAR"
    sello = root.get("Sello") or ""
    total = Decimal(root.get("Total"))

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    c.setTitle(f"CFDI {uuid}")
    c.setAuthor(emisor.get("Nombre"))
    w, h = letter
    y = h - 50
    c.setFont("Helvetica-Bold", 14)
    c.drawString(40, y, emisor.get("Nombre"))
    c.setFont("Helvetica", 9)
    c.drawString(40, y - 14, f"RFC Emisor: {emisor.get('Rfc')}")
    c.drawString(40, y - 26, f"Régimen Fiscal: {emisor.get('RegimenFiscal')}")
    c.drawString(40, y - 38, f"Lugar de Expedición: {root.get('LugarExpedicion')}")
    c.setFont("Helvetica-Bold", 11)
    kind = {"I": "Ingreso", "E": "Egreso", "P": "Pago", "T": "Traslado", "N": "Nómina"}.get(
        root.get("TipoDeComprobante"), ""
    )
    c.drawRightString(w - 40, y, f"FACTURA  {root.get('Serie') or ''}{root.get('Folio') or ''}")
    c.setFont("Helvetica", 9)
    c.drawRightString(w - 40, y - 14, f"Folio Fiscal: {uuid}")
    c.drawRightString(w - 40, y - 26, f"Fecha de emisión: {root.get('Fecha')}")
    c.drawRightString(w - 40, y - 38, f"Tipo de comprobante: {root.get('TipoDeComprobante')} - {kind}")
    c.drawRightString(w - 40, y - 50, f"Versión CFDI: {root.get('Version')}")
    y -= 80
    c.setFont("Helvetica-Bold", 10)
    c.drawString(40, y, "Receptor")
    c.setFont("Helvetica", 9)
    c.drawString(40, y - 13, f"Nombre: {receptor.get('Nombre')}")
    c.drawString(40, y - 25, f"RFC Receptor: {receptor.get('Rfc')}")
    c.drawString(
        40,
        y - 37,
        f"Uso CFDI: {receptor.get('UsoCFDI')}   Domicilio fiscal: {receptor.get('DomicilioFiscalReceptor') or ''}",
    )
    c.drawString(320, y - 13, f"Método de pago: {root.get('MetodoPago') or ''}")
    c.drawString(320, y - 25, f"Forma de pago: {root.get('FormaPago') or ''}")
    c.drawString(320, y - 37, f"Moneda: {root.get('Moneda')}")
    y -= 60
    c.setFont("Helvetica-Bold", 9)
    for x, label in ((40, "Clave"), (95, "Cant."), (130, "Descripción"), (430, "P. Unitario"), (510, "Importe")):
        c.drawString(x, y, label)
    c.line(40, y - 3, w - 40, y - 3)
    c.setFont("Helvetica", 8)
    for concept in root.iterfind("cfdi:Conceptos/cfdi:Concepto", ns):
        y -= 14
        c.drawString(40, y, concept.get("ClaveProdServ"))
        c.drawString(95, y, concept.get("Cantidad"))
        c.drawString(130, y, concept.get("Descripcion")[:70])
        c.drawRightString(490, y, f"${Decimal(concept.get('ValorUnitario')):,.2f}")
        c.drawRightString(w - 40, y, f"${Decimal(concept.get('Importe')):,.2f}")
    y -= 24
    imp = root.find("cfdi:Impuestos", ns)
    rows = [("Subtotal", Decimal(root.get("SubTotal")))]
    if root.get("Descuento"):
        rows.append(("Descuento", Decimal(root.get("Descuento"))))
    if imp is not None and imp.get("TotalImpuestosTrasladados"):
        rows.append(("IVA trasladado", Decimal(imp.get("TotalImpuestosTrasladados"))))
    if imp is not None:
        for ret in imp.iterfind("cfdi:Retenciones/cfdi:Retencion", ns):
            rows.append((f"Retención {'ISR' if ret.get('Impuesto') == '001' else 'IVA'}", Decimal(ret.get("Importe"))))
    for loc in root.iterfind(".//{http://www.sat.gob.mx/implocal}RetencionesLocales"):
        rows.append((f"Ret. local {loc.get('ImpLocRetenido')}", Decimal(loc.get("Importe"))))
    rows.append(("Total", total))
    for label, value in rows:
        c.setFont("Helvetica-Bold" if label == "Total" else "Helvetica", 9)
        c.drawRightString(480, y, f"{label}:")
        c.drawRightString(w - 40, y, f"${value:,.2f}")
        y -= 13
    y -= 20
    qr_url = (
        f"https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id={uuid}"
        f"&re={emisor.get('Rfc')}&rr={receptor.get('Rfc')}&tt={total:.6f}&fe={sello[-8:]}"
    )
    widget = QrCodeWidget(qr_url)
    x0, y0, x1, y1 = widget.getBounds()
    size = 110
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, 40, y - size)
    c.setFont("Helvetica", 7)
    tx = 160
    lines = [
        f"Sello digital del CFDI: ...{sello[-8:]}",
        f"Sello del SAT: ...{(tfd.get('SelloSAT') or '')[-8:] if tfd is not None else ''}",
        f"No. de serie del certificado del emisor: {root.get('NoCertificado')}",
        f"No. de serie del certificado del SAT: {tfd.get('NoCertificadoSAT') if tfd is not None else ''}",
        f"Fecha y hora de certificación: {tfd.get('FechaTimbrado') if tfd is not None else ''}",
        f"RFC del proveedor de certificación: {tfd.get('RfcProvCertif') if tfd is not None else ''}",
        "Este documento es una representación impresa de un CFDI.",
    ]
    for i, text in enumerate(lines):
        c.drawString(tx, y - 10 - i * 11, text)
    c.showPage()
    c.save()
    return buf.getvalue()
