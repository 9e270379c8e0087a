"""Claim forms, reimbursement forms, medical reports, prescriptions, student certificates,
dependent declarations, care orders and foreign invoices, shaped like the insurers' formats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .pdf import Page, render


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def claim_form(*, patient: str, holder: str, policy: str, on: date, signed: bool = True) -> bytes:
    page = (
        Page()
        .title("FORMULARIO DE RECLAMACIÓN DE GASTOS MÉDICOS")
        .text("Aviso de accidente o enfermedad")
        .blank()
        .row("Número de póliza", policy)
        .row("Nombre del titular", holder)
        .row("Nombre del paciente", patient)
        .row("Fecha", _d(on))
        .blank()
        .text("Datos del asegurado afectado")
        .row("Padecimiento", "Faringoamigdalitis aguda")
        .row("Fecha de inicio de síntomas", _d(on))
        .blank()
        .text("Declaro bajo protesta de decir verdad que los datos son ciertos.")
        .row("Firma del asegurado", holder if signed else "______________________")
    )
    return render([page], "Formulario de reclamación")


def reimbursement_form(
    *, patient: str, holder: str, policy: str, on: date, clabe: str | None = None, signed: bool = True
) -> bytes:
    page = (
        Page()
        .title("SOLICITUD DE REEMBOLSO")
        .blank()
        .row("Número de póliza", policy)
        .row("Nombre del titular", holder)
        .row("Nombre del paciente", patient)
        .row("Fecha", _d(on))
        .blank()
        .text("Datos para transferencia")
        .row("Cuenta CLABE", clabe or "")
        .blank()
        .row("Firma del titular", holder if signed else "______________________")
    )
    return render([page], "Solicitud de reembolso")


def medical_report(*, patient: str, doctor: str, on: date) -> bytes:
    page = (
        Page()
        .title("INFORME MÉDICO")
        .blank()
        .row("Nombre del paciente", patient)
        .row("Fecha de la consulta", _d(on))
        .row("Médico tratante", doctor)
        .row("Cédula profesional", "7654321")
        .blank()
        .row("Padecimiento actual", "Cuadro de fiebre y odinofagia de 3 días de evolución")
        .row("Exploración física", "Faringe hiperémica, amígdalas con exudado")
        .row("Diagnóstico", "J03.9 Amigdalitis aguda, no especificada")
        .row("Tratamiento", "Antibiótico y analgésico por 7 días")
        .blank()
        .row("Firma del médico", doctor)
    )
    return render([page], "Informe médico")


def prescription(*, patient: str, doctor: str, on: date) -> bytes:
    page = (
        Page()
        .title("RECETA MÉDICA")
        .blank()
        .row("Paciente", patient)
        .row("Fecha", _d(on))
        .row("Médico", doctor)
        .row("Cédula profesional", "7654321")
        .blank()
        .text("Rp/")
        .text("Amoxicilina 500 mg, tomar 1 cápsula cada 8 horas por 7 días")
        .text("Paracetamol 500 mg, tomar 1 tableta cada 6 horas si hay fiebre")
        .blank()
        .text("Indicaciones: reposo relativo, abundantes líquidos")
        .row("Firma", doctor)
    )
    return render([page], "Receta médica")


def student_certificate(*, student: str, school: str, on: date) -> bytes:
    page = (
        Page()
        .title("CONSTANCIA DE ESTUDIOS")
        .blank()
        .text(f"{school} hace constar que")
        .row("Nombre del alumno", student)
        .text("se encuentra inscrito como alumno regular en el ciclo escolar 2026-2027.")
        .row("Fecha de emisión", _d(on))
        .blank()
        .row("Firma", "Dirección de Servicios Escolares")
    )
    return render([page], "Constancia de estudios")


def dependent_declaration(*, dependent: str, holder: str, on: date, signed: bool = True) -> bytes:
    page = (
        Page()
        .title("DECLARACIÓN DE DEPENDIENTE ECONÓMICO")
        .blank()
        .text("Bajo protesta de decir verdad declaro que mi dependiente")
        .row("Nombre del dependiente", dependent)
        .text("tiene estado civil soltero y depende económicamente de mí.")
        .row("Fecha", _d(on))
        .row("Firma del titular", holder if signed else "____________")
    )
    return render([page], "Declaración de dependiente")


def care_order(*, account: str, patient: str, doctor: str, on: date, amount: Decimal) -> bytes:
    page = (
        Page()
        .title("ORDEN DE ATENCIÓN")
        .text("PLAN SEGURO S.A. DE C.V.")
        .blank()
        .row("Cuenta", account)
        .row("Paciente", patient)
        .row("Médico tratante", doctor)
        .row("Fecha de atención", _d(on))
        .blank()
        .text("Detalle de pago")
        .row("Honorarios", f"{amount:,.2f}")
        .row("Coaseguro", "0.00")
        .blank()
        .text("Firmado digitalmente por el asegurado y el médico")
    )
    return render([page], "Orden de atención")


def foreign_invoice(
    *, provider: str, country: str, patient: str, on: date, total: Decimal, currency: str = "USD"
) -> bytes:
    page = (
        Page()
        .title("INVOICE")
        .text(provider)
        .text(f"Country: {country}")
        .blank()
        .row("Invoice number", "INV-20931")
        .row("Invoice date", on.isoformat())
        .row("Bill to", patient)
        .row("Date of service", on.isoformat())
        .blank()
        .text("Description: Emergency room visit, evaluation and management")
        .row("Amount due", f"{currency} {total:,.2f}")
        .row("Total due", f"{currency} {total:,.2f}")
    )
    return render([page], "Invoice")


# --- second layouts: other insurers' and hospitals' formats, for the labelled set -------------
# Same facts, other titles, labels and order, so classification and extraction are not tuned
# to one printout. `signed=False` leaves the signature line blank.


def claim_form_b(*, patient: str, holder: str, policy: str, on: date, signed: bool = True) -> bytes:
    page = (
        Page()
        .title("AVISO DE ACCIDENTE O ENFERMEDAD")
        .text("Reclamación de gastos médicos mayores")
        .blank()
        .row("Póliza", policy)
        .row("Asegurado titular", holder)
        .row("Paciente", patient)
        .row("Fecha de emisión", _d(on))
        .blank()
        .text("Datos del asegurado afectado")
        .row("Causa de la reclamación", "Enfermedad")
        .row("Hospital", "Hospital Ángeles del Pedregal")
        .blank()
        .row("Firma del asegurado titular", holder if signed else "")
    )
    return render([page], "Aviso de accidente o enfermedad")


def reimbursement_form_b(
    *, patient: str, holder: str, policy: str, on: date, clabe: str | None = None, signed: bool = True
) -> bytes:
    page = (
        Page()
        .title("FORMATO DE REEMBOLSO DE GASTOS MÉDICOS")
        .blank()
        .row("Fecha", _d(on))
        .row("Póliza", policy)
        .row("Titular", holder)
        .row("Nombre del paciente", patient)
        .blank()
        .text("Relación de facturas presentadas para reembolso")
        .text("1. Honorarios médicos 1,500.00")
        .blank()
        .text("Datos para transferencia electrónica")
        .row("CLABE interbancaria", clabe or "")
        .row("Firma", holder if signed else "_____________")
    )
    return render([page], "Formato de reembolso")


def medical_report_b(*, patient: str, doctor: str, on: date, signed: bool = True) -> bytes:
    page = (
        Page()
        .title("HOSPITAL SAN JOSÉ")
        .title("INFORME MÉDICO DEL MÉDICO TRATANTE", 12)
        .blank()
        .row("Paciente", patient)
        .row("Fecha de atención", _d(on))
        .blank()
        .row("Historia clínica", "Paciente con cuadro de dolor abdominal de 2 días")
        .row("Exploración física", "Abdomen doloroso en fosa iliaca derecha")
        .row("Diagnóstico", "K35.8 Apendicitis aguda")
        .row("Tratamiento", "Apendicectomía laparoscópica")
        .blank()
        .row("Nombre y firma del médico tratante", doctor if signed else "")
        .row("Cédula profesional", "1234567")
    )
    return render([page], "Informe médico")


def prescription_b(*, patient: str, doctor: str, on: date) -> bytes:
    page = (
        Page()
        .title(f"DR. {doctor.upper()}")
        .text("Medicina Interna - Cédula profesional 7654321")
        .title("RECETA", 12)
        .blank()
        .row("Nombre del paciente", patient)
        .row("Fecha", _d(on))
        .blank()
        .text("Rp/")
        .text("Omeprazol 20 mg, tomar una cápsula en ayunas por 14 días")
        .text("Indicaciones: dieta blanda")
        .blank()
        .row("Firma del médico", doctor)
    )
    return render([page], "Receta")


def student_certificate_b(*, student: str, school: str, on: date) -> bytes:
    page = (
        Page()
        .title(school.upper())
        .title("CONSTANCIA DE ESTUDIOS", 12)
        .text("A quien corresponda:")
        .blank()
        .text("Por medio de la presente se hace constar que la alumna")
        .row("Alumna", student)
        .text("está inscrita en el ciclo escolar 2026-2027, cursando el tercer semestre.")
        .row("Fecha de emisión", _d(on))
        .row("Firma", "Control Escolar")
    )
    return render([page], "Constancia de estudios")


def dependent_declaration_b(*, dependent: str, holder: str, on: date, signed: bool = True) -> bytes:
    page = (
        Page()
        .title("CARTA DECLARACIÓN DE DEPENDIENTE ECONÓMICO")
        .blank()
        .row("Fecha", _d(on))
        .text(f"Yo, {holder}, titular de la póliza, declaro bajo protesta de decir verdad")
        .text("que mi hijo(a) es soltero(a) y es mi dependiente económico.")
        .row("Nombre del dependiente", dependent)
        .blank()
        .row("Firma del titular", holder if signed else "")
    )
    return render([page], "Declaración de dependiente")


def care_order_b(*, account: str, patient: str, doctor: str, on: date, amount: Decimal) -> bytes:
    page = (
        Page()
        .title("ORDEN DE ATENCIÓN MÉDICA")
        .text("Programa de pago directo a proveedores")
        .blank()
        .row("Número de cuenta", account)
        .row("Cuenta", account)
        .row("Paciente", patient)
        .row("Médico tratante", doctor)
        .row("Fecha de atención", _d(on))
        .blank()
        .text("Detalle de pago")
        .row("Monto autorizado", f"{amount:,.2f}")
        .row("Coaseguro", "10%")
        .row("Firma del médico", doctor)
    )
    return render([page], "Orden de atención")
