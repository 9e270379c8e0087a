"""Declaration letters, medical reports, prescriptions, student certificates and foreign invoices
in layouts that are not the samples': free-written letters, IMSS and ISSSTE notes, private
hospitals' and doctors' letterheads, a pharmacy's consulting room, invoices and receipts from the
US, Spain, Canada, Colombia, Germany, the UK, Chile, Argentina, France, Costa Rica and Cuba. Drawn
here with reportlab's canvas (positions, boxes, columns, label-above-value cells), never with
samples/builders.

Expected values are what a clerk reads, in the extraction's terms: person names upper case
without accents (as the form extraction gives them), dates ISO, totals as Decimals (compared as
numbers), countries ISO 3166 alpha-2, currencies ISO 4217."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from .cases import Case


@dataclass
class Sheet:
    """One page drawn by coordinates (points from the top-left, as a designer thinks)."""

    size: tuple[float, float] = LETTER

    def __post_init__(self):
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=self.size, invariant=1)
        self.width, self.height = self.size

    def text(self, x, y, s, size=10, font="Helvetica"):
        self.pdf.setFont(font, size)
        self.pdf.drawString(x, self.height - y, s)
        return self

    def right(self, x, y, s, size=10, font="Helvetica"):
        self.pdf.setFont(font, size)
        self.pdf.drawRightString(x, self.height - y, s)
        return self

    def center(self, y, s, size=10, font="Helvetica"):
        self.pdf.setFont(font, size)
        self.pdf.drawCentredString(self.width / 2, self.height - y, s)
        return self

    def para(self, x, y, width, s, size=11, font="Times-Roman", leading=None) -> float:
        """Wrapped text; returns the y below it."""
        leading = leading or size * 1.45
        for line in simpleSplit(s, font, size, width):
            self.text(x, y, line, size, font)
            y += leading
        return y

    def box(self, x, y, w, h, width=0.6):
        self.pdf.setLineWidth(width)
        self.pdf.rect(x, self.height - y - h, w, h)
        return self

    def hline(self, x1, x2, y, width=0.6):
        self.pdf.setLineWidth(width)
        self.pdf.line(x1, self.height - y, x2, self.height - y)
        return self

    def cell(self, x, y, w, h, label, value, label_size=6.5, value_size=10):
        """A boxed cell with a small caption on top and the value under it (IMSS/ISSSTE style)."""
        self.box(x, y, w, h)
        self.text(x + 3, y + 8, label, label_size, "Helvetica")
        if value:
            self.text(x + 4, y + h - 5, value, value_size, "Helvetica-Bold")
        return self

    def scribble(self, x, y, w=110):
        """A hand signature: a few strokes, no text."""
        path = self.pdf.beginPath()
        base = self.height - y
        path.moveTo(x, base)
        for i, dy in enumerate((12, -6, 9, -10, 7, -3, 5)):
            path.curveTo(
                x + w * i / 7 + 5, base + dy, x + w * (i + 0.5) / 7, base - dy, x + w * (i + 1) / 7, base + dy / 2
            )
        self.pdf.setLineWidth(1.1)
        self.pdf.drawPath(path)
        return self

    def bytes(self, title="documento") -> bytes:
        self.pdf.setTitle(title)
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


# --- declaration letters --------------------------------------------------------------------


def carta_solteria_libre() -> tuple[bytes, dict]:
    s = Sheet()
    s.right(560, 70, "Guadalajara, Jalisco, a 14 de octubre de 2026", 11, "Times-Roman")
    s.text(60, 120, "SEGUROS ATLÁNTIDA, S.A. DE C.V.", 11, "Times-Bold")
    s.text(60, 136, "Área de Siniestros de Gastos Médicos", 11, "Times-Roman")
    s.text(60, 152, "P r e s e n t e", 11, "Times-Roman")
    s.center(200, "CARTA DE SOLTERÍA", 14, "Times-Bold")
    y = s.para(
        60,
        240,
        490,
        "Por medio de la presente, yo, Valeria Isabel Ramírez Cortés, de 23 años de edad, "
        "con domicilio en Av. Chapultepec 480, colonia Americana, declaro bajo protesta de decir verdad "
        "que mi estado civil es soltera, que no vivo en unión libre ni tengo hijos, y que dependo "
        "económicamente de mi padre, titular de la póliza 88-120034, quien cubre mis gastos de "
        "manutención y estudios.",
    )
    y = s.para(60, y + 14, 490, "Extiendo la presente para los fines que a la aseguradora convengan.")
    s.center(y + 50, "A t e n t a m e n t e", 11, "Times-Roman")
    s.scribble(250, y + 100)
    s.hline(200, 410, y + 110)
    s.center(y + 124, "Valeria Isabel Ramírez Cortés", 11, "Times-Roman")
    return s.bytes("Carta de soltería"), {
        "patient_name": "VALERIA ISABEL RAMIREZ CORTES",
        "document_date": "2026-10-14",
    }


def dependencia_economica_libre() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.text(70, 80, "DECLARACIÓN DE DEPENDENCIA ECONÓMICA", 13, "Helvetica-Bold")
    s.text(70, 110, "A quien corresponda:", 11)
    y = s.para(
        70,
        140,
        455,
        "El que suscribe, Roberto Carlos Ruiz Esparza, titular de la póliza de gastos médicos "
        "mayores número GMM-5531207, manifiesto bajo protesta de decir verdad que mi hijo Daniel Ruiz "
        "Soto, de 22 años, es soltero, estudiante de tiempo completo y depende económicamente de mí, "
        "por lo que solicito se le mantenga como dependiente en la citada póliza.",
        11,
        "Helvetica",
    )
    y = s.para(70, y + 14, 455, "Sin otro particular, quedo a sus órdenes.", 11, "Helvetica")
    s.text(70, y + 30, "Lugar y fecha: Monterrey, N.L., 03/11/2026", 11)
    s.scribble(90, y + 95)
    s.hline(70, 270, y + 105)
    s.text(70, y + 118, "Roberto Carlos Ruiz Esparza", 10)
    s.text(70, y + 131, "Nombre y firma del titular", 8)
    return s.bytes("Dependencia económica"), {"patient_name": "DANIEL RUIZ SOTO", "document_date": "2026-11-03"}


def declaracion_tabla() -> tuple[bytes, dict]:
    s = Sheet()
    s.box(40, 40, 532, 50, 1.2)
    s.text(52, 62, "GRUPO ASEGURADOR MERIDIANO", 12, "Helvetica-Bold")
    s.text(52, 78, "Declaración de dependiente económico y estado civil", 10)
    s.text(40, 120, "1. DATOS DEL TITULAR", 9, "Helvetica-Bold")
    s.cell(40, 128, 330, 30, "Nombre completo del titular", "JORGE ALBERTO MEDINA TREVIÑO")
    s.cell(370, 128, 202, 30, "Número de póliza", "MR-7740012")
    s.text(40, 180, "2. DATOS DEL DEPENDIENTE", 9, "Helvetica-Bold")
    s.cell(40, 188, 330, 30, "Nombre completo del dependiente", "ANA SOFÍA MEDINA LÓPEZ")
    s.cell(370, 188, 101, 30, "Parentesco", "HIJA")
    s.cell(471, 188, 101, 30, "Estado civil", "SOLTERA")
    s.cell(40, 218, 200, 30, "Fecha de nacimiento", "17/05/2004")
    s.cell(240, 218, 332, 30, "Ocupación", "ESTUDIANTE")
    s.para(
        40,
        275,
        532,
        "Bajo protesta de decir verdad, declaro que la persona arriba señalada es soltera, no "
        "percibe ingresos propios y depende económicamente del titular.",
        9.5,
        "Helvetica",
    )
    s.cell(40, 320, 200, 30, "Fecha de la declaración", "2026-11-05")
    s.cell(240, 320, 332, 60, "Firma del titular", "")
    s.scribble(330, 362)
    return s.bytes("Declaración de dependiente"), {
        "patient_name": "ANA SOFIA MEDINA LOPEZ",
        "document_date": "2026-11-05",
    }


def manifiesto_soltero_mayusculas() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(60, 70, "MANIFIESTO DE SOLTERÍA Y DEPENDENCIA ECONÓMICA", 12, "Courier-Bold")
    s.text(60, 100, "FECHA: 5-NOV-2026", 10, "Courier")
    s.text(60, 115, "ASUNTO: ALTA DE DEPENDIENTE MAYOR DE 25 AÑOS", 10, "Courier")
    y = s.para(
        60,
        150,
        490,
        "YO, LUIS FERNANDO OCHOA BRAVO, DECLARO QUE SOY SOLTERO, QUE NO HE CONTRAÍDO "
        "MATRIMONIO NI VIVO EN CONCUBINATO Y QUE DEPENDO ECONÓMICAMENTE DE MI MADRE, MARTHA BRAVO "
        "SALAS, ASEGURADA TITULAR.",
        10,
        "Courier",
    )
    y = s.para(60, y + 10, 490, "LO ANTERIOR LO MANIFIESTO BAJO PROTESTA DE DECIR VERDAD.", 10, "Courier")
    s.scribble(80, y + 70)
    s.text(60, y + 95, "FIRMA DEL DECLARANTE", 9, "Courier")
    return s.bytes("Manifiesto"), {"patient_name": "LUIS FERNANDO OCHOA BRAVO", "document_date": "2026-11-05"}


# --- medical reports ------------------------------------------------------------------------


def imss_nota_egreso() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(40, 50, "INSTITUTO MEXICANO DEL SEGURO SOCIAL", 11, "Helvetica-Bold")
    s.text(40, 64, "DIRECCIÓN DE PRESTACIONES MÉDICAS", 8)
    s.text(40, 76, "UMAE Hospital de Especialidades CMN Siglo XXI", 8)
    s.right(572, 50, "4-30-8/72", 8)
    s.center(105, "NOTA DE EGRESO", 13, "Helvetica-Bold")
    s.cell(40, 120, 300, 30, "NOMBRE DEL DERECHOHABIENTE", "HERNÁNDEZ GÓMEZ JOSÉ ÁNGEL")
    s.cell(340, 120, 232, 30, "NÚMERO DE SEGURIDAD SOCIAL", "1298 76 5432 1M")
    s.cell(40, 150, 130, 30, "FECHA DE INGRESO", "02/11/2026")
    s.cell(170, 150, 130, 30, "FECHA DE EGRESO", "06/11/2026")
    s.cell(300, 150, 272, 30, "SERVICIO", "CIRUGÍA GENERAL")
    s.text(40, 205, "Diagnóstico de ingreso: Colecistitis crónica litiásica", 10)
    s.text(40, 220, "Diagnóstico de egreso: Postoperado de colecistectomía laparoscópica", 10)
    s.para(
        40,
        240,
        532,
        "Resumen de la evolución: paciente masculino de 54 años que ingresa por dolor en hipocondrio "
        "derecho. Se realiza colecistectomía laparoscópica sin complicaciones. Tolera la vía oral, "
        "afebril, herida quirúrgica limpia.",
        10,
        "Helvetica",
    )
    s.text(40, 300, "Tratamiento al egreso: paracetamol 500 mg cada 8 horas por 5 días.", 10)
    s.text(40, 315, "Motivo de egreso: mejoría", 10)
    s.scribble(360, 380)
    s.hline(330, 560, 390)
    s.text(330, 402, "Médico: Dra. Patricia Luna Valdés   Matrícula 99123456", 8)
    return s.bytes("Nota de egreso"), {"patient_name": "HERNANDEZ GOMEZ JOSE ANGEL", "document_date": "2026-11-06"}


def issste_resumen_clinico() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 55, "ISSSTE", 18, "Times-Bold")
    s.text(50, 72, "Instituto de Seguridad y Servicios Sociales de los Trabajadores del Estado", 9, "Times-Roman")
    s.text(50, 85, "Hospital Regional Lic. Adolfo López Mateos", 9, "Times-Roman")
    s.center(120, "RESUMEN CLÍNICO", 13, "Times-Bold")
    s.text(50, 150, "Paciente:", 10, "Times-Bold").text(120, 150, "Guadalupe Itzel Castañeda Ríos", 10, "Times-Roman")
    s.text(360, 150, "Expediente:", 10, "Times-Bold").text(420, 150, "CARG-780214", 10, "Times-Roman")
    s.text(50, 166, "Edad:", 10, "Times-Bold").text(120, 166, "47 años", 10, "Times-Roman")
    s.text(360, 166, "Fecha:", 10, "Times-Bold").text(420, 166, "26-OCT-2026", 10, "Times-Roman")
    y = s.para(
        50,
        200,
        510,
        "Padecimiento actual: Hipertensión arterial sistémica de 6 años de evolución, en "
        "control irregular. Acude por cefalea y mareo.",
        10.5,
    )
    y = s.para(50, y + 6, 510, "Exploración física: TA 160/100 mmHg, FC 88 lpm, sin datos de focalización.", 10.5)
    y = s.para(50, y + 6, 510, "Diagnóstico: I10 Hipertensión esencial (primaria).", 10.5)
    y = s.para(50, y + 6, 510, "Plan: ajuste de antihipertensivo, control en consulta externa en 4 semanas.", 10.5)
    s.scribble(230, y + 70)
    s.center(y + 90, "Dr. Ernesto Villalobos Pardo — Medicina Interna — Céd. Prof. 4521987", 9, "Times-Roman")
    return s.bytes("Resumen clínico"), {"patient_name": "GUADALUPE ITZEL CASTANEDA RIOS", "document_date": "2026-10-26"}


def privado_informe_tabla() -> tuple[bytes, dict]:
    s = Sheet()
    s.box(40, 40, 532, 60, 1.0)
    s.text(55, 65, "Hospital Ángeles Lomas", 15, "Helvetica-Bold")
    s.text(55, 82, "Vialidad de la Barranca s/n, Huixquilucan, Edo. de México", 8)
    s.right(560, 65, "INFORME MÉDICO", 12, "Helvetica-Bold")
    rows = [
        ("Nombre del paciente", "Renata Elizabeth Zúñiga Fuentes"),
        ("Edad / Sexo", "31 años / Femenino"),
        ("Aseguradora", "Seguros Monterrey New York Life"),
        ("Fecha de inicio del padecimiento", "20/10/2026"),
        ("Fecha del informe", "26 de octubre de 2026"),
        ("Diagnóstico", "N20.0 Cálculo del riñón"),
        ("Tratamiento", "Ureteroscopía con litotricia láser"),
        ("Médico tratante", "Dr. Alfonso Garza Iturbide"),
        ("Cédula profesional", "3344556"),
    ]
    y = 120
    for label, value in rows:
        s.box(40, y, 200, 24).box(240, y, 332, 24)
        s.text(46, y + 16, label, 9, "Helvetica-Bold").text(246, y + 16, value, 10)
        y += 24
    s.text(40, y + 30, "Antecedentes: sin antecedentes quirúrgicos. Alergias negadas.", 9)
    s.scribble(380, y + 90)
    s.text(380, y + 108, "Firma del médico tratante", 8)
    return s.bytes("Informe médico"), {"patient_name": "RENATA ELIZABETH ZUNIGA FUENTES", "document_date": "2026-10-26"}


def privado_alta_cajas() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.text(45, 50, "STAR MÉDICA", 16, "Helvetica-Bold").text(
        45, 64, "Hospital Querétaro · Departamento de Medicina Interna", 8
    )
    s.text(45, 100, "RESUMEN DE ALTA HOSPITALARIA", 12, "Helvetica-Bold")
    s.text(45, 130, "Paciente", 8).text(45, 143, "Emiliano Jesús Olvera Pacheco", 11, "Helvetica-Bold")
    s.text(320, 130, "No. de habitación", 8).text(320, 143, "412", 11, "Helvetica-Bold")
    s.text(45, 170, "Fecha de ingreso", 8).text(45, 183, "2026-10-19", 11, "Helvetica-Bold")
    s.text(200, 170, "Fecha de alta", 8).text(200, 183, "2026-10-23", 11, "Helvetica-Bold")
    s.text(320, 170, "Médico tratante", 8).text(320, 183, "Dr. Samuel Ibarra Nieto", 11, "Helvetica-Bold")
    y = s.para(
        45,
        220,
        505,
        "Diagnóstico principal: J18.9 Neumonía, no especificada. Evolución favorable con "
        "antibioticoterapia intravenosa; se egresa con tratamiento oral y cita de control en 7 días.",
        10,
        "Helvetica",
    )
    s.scribble(60, y + 60)
    s.text(45, y + 80, "Nombre y firma del médico", 8)
    return s.bytes("Resumen de alta"), {"patient_name": "EMILIANO JESUS OLVERA PACHECO", "document_date": "2026-10-23"}


# --- prescriptions --------------------------------------------------------------------------


def imss_receta() -> tuple[bytes, dict]:
    s = Sheet((612, 396))  # half-letter, landscape
    s.text(30, 35, "IMSS", 16, "Helvetica-Bold").text(90, 30, "INSTITUTO MEXICANO DEL SEGURO SOCIAL", 8)
    s.text(90, 41, "UMF No. 20 Vallejo — Consulta Externa", 8)
    s.right(582, 35, "RECETA INDIVIDUAL", 11, "Helvetica-Bold")
    s.cell(30, 55, 300, 28, "NOMBRE DEL DERECHOHABIENTE", "MORALES VEGA CARMEN ROSA")
    s.cell(330, 55, 140, 28, "NSS", "4501 88 2210 3F")
    s.cell(470, 55, 112, 28, "FECHA DE EXPEDICIÓN", "10/11/2026")
    s.text(30, 110, "CLAVE", 8, "Helvetica-Bold").text(100, 110, "MEDICAMENTO", 8, "Helvetica-Bold")
    s.text(420, 110, "CANTIDAD", 8, "Helvetica-Bold").text(500, 110, "DÍAS", 8, "Helvetica-Bold")
    s.text(30, 126, "010.000.0104.00", 9).text(100, 126, "Paracetamol tableta 500 mg. 1 cada 8 horas", 9)
    s.text(420, 126, "1 caja", 9).text(500, 126, "5", 9)
    s.text(30, 142, "010.000.2128.00", 9).text(100, 142, "Amoxicilina cápsula 500 mg. 1 cada 8 horas", 9)
    s.text(420, 142, "2 cajas", 9).text(500, 142, "7", 9)
    s.scribble(420, 330, 100)
    s.hline(400, 580, 340)
    s.text(400, 352, "Médico: Dr. Iván Tapia Reséndiz  Mat. 11223344", 7)
    return s.bytes("Receta IMSS"), {"patient_name": "MORALES VEGA CARMEN ROSA", "document_date": "2026-11-10"}


def issste_receta() -> tuple[bytes, dict]:
    s = Sheet((396, 612))  # half-letter, portrait
    s.center(40, "ISSSTE", 16, "Times-Bold")
    s.center(55, "Clínica de Medicina Familiar Ermita", 9, "Times-Roman")
    s.center(78, "RECETA MÉDICA", 12, "Times-Bold")
    s.text(30, 105, "Nombre: Ignacio Mauricio Treviño Salgado", 10, "Times-Roman")
    s.text(30, 121, "Fecha: 10-NOV-2026", 10, "Times-Roman").text(200, 121, "Edad: 62", 10, "Times-Roman")
    s.text(30, 150, "Rp.", 12, "Times-Bold")
    s.text(30, 170, "1. Metformina 850 mg, una tableta con cada alimento.", 9.5, "Times-Roman")
    s.text(30, 186, "2. Losartán 50 mg, una tableta cada 24 horas.", 9.5, "Times-Roman")
    s.scribble(140, 520, 100)
    s.center(540, "Dra. Rocío Alcántara Gil · Céd. Prof. 6120043", 8, "Times-Roman")
    return s.bytes("Receta ISSSTE"), {"patient_name": "IGNACIO MAURICIO TREVINO SALGADO", "document_date": "2026-11-10"}


def membrete_doctor() -> tuple[bytes, dict]:
    s = Sheet((396, 612))
    s.text(30, 40, "Dra. Laura Méndez Ochoa", 15, "Times-BoldItalic")
    s.text(30, 56, "Pediatría y Neonatología", 9, "Times-Italic")
    s.text(30, 68, "Céd. Prof. 8765432  ·  Céd. Esp. 1234567  ·  UNAM", 8, "Times-Roman")
    s.text(30, 80, "Consultorio 305, Torre Médica Satélite · Tel. 55 5393 1100", 8, "Times-Roman")
    s.hline(30, 366, 90, 1.2)
    s.text(30, 115, "Nombre:", 10, "Times-Bold").text(80, 115, "Santiago Pérez Luna", 10, "Times-Roman")
    s.text(250, 115, "Edad:", 10, "Times-Bold").text(285, 115, "6 años", 10, "Times-Roman")
    s.text(30, 131, "Peso: 21 kg", 10, "Times-Roman").text(130, 131, "Talla: 1.16 m", 10, "Times-Roman")
    s.right(366, 131, "10 de noviembre de 2026", 10, "Times-Roman")
    s.text(30, 160, "Rx", 16, "Times-BoldItalic")
    s.text(40, 182, "Amoxicilina/ác. clavulánico susp. 250 mg/5 ml", 10, "Times-Roman")
    s.text(50, 196, "Dar 7 ml cada 12 horas por 7 días.", 10, "Times-Roman")
    s.text(40, 214, "Ibuprofeno susp. 100 mg/5 ml", 10, "Times-Roman")
    s.text(50, 228, "Dar 5 ml cada 8 horas en caso de fiebre.", 10, "Times-Roman")
    s.scribble(230, 540, 100)
    s.hline(210, 366, 550)
    return s.bytes("Receta"), {"patient_name": "SANTIAGO PEREZ LUNA", "document_date": "2026-11-10"}


def farmacia_consultorio() -> tuple[bytes, dict]:
    s = Sheet((396, 612))
    s.box(20, 20, 356, 60, 1.0)
    s.text(30, 45, "FARMACIAS DEL BIENESTAR", 13, "Helvetica-Bold")
    s.text(30, 60, "Consultorio médico adyacente · Suc. Iztapalapa 114", 8)
    s.text(30, 72, "Médico general: Dr. Ramón Quiroz Leal · Céd. Prof. 10293847", 8)
    s.text(20, 105, "RECETA", 11, "Helvetica-Bold")
    s.cell(20, 115, 236, 30, "Nombre del paciente", "Beatriz Adriana Solís Mora")
    s.cell(256, 115, 120, 30, "Fecha", "2026/11/09")
    s.text(20, 170, "Tratamiento", 8, "Helvetica-Bold")
    s.text(20, 186, "Loratadina 10 mg — 1 tableta diaria por 10 días", 9)
    s.text(20, 200, "Fluticasona nasal — 2 disparos en cada narina c/24 h", 9)
    s.text(20, 230, "Indicaciones: evitar alérgenos, hidratación.", 9)
    s.scribble(150, 520, 90)
    s.text(150, 540, "Firma del médico", 8)
    return s.bytes("Receta farmacia"), {"patient_name": "BEATRIZ ADRIANA SOLIS MORA", "document_date": "2026-11-09"}


# --- student certificates -------------------------------------------------------------------


def universidad_hace_constar() -> tuple[bytes, dict]:
    s = Sheet()
    s.center(60, "UNIVERSIDAD AUTÓNOMA DE NUEVO LEÓN", 13, "Times-Bold")
    s.center(76, "Facultad de Ingeniería Mecánica y Eléctrica · Departamento Escolar", 9, "Times-Roman")
    s.center(120, "CONSTANCIA DE ESTUDIOS", 13, "Times-Bold")
    s.text(70, 160, "A QUIEN CORRESPONDA:", 11, "Times-Bold")
    y = s.para(
        70,
        190,
        470,
        "La que suscribe, Jefa del Departamento Escolar, HACE CONSTAR que la C. Mariana "
        "Guadalupe Leal Saucedo, con número de matrícula 1987654, es alumna regular de la carrera de "
        "Ingeniero en Mecatrónica, inscrita en el semestre agosto-diciembre 2026, cursando el quinto "
        "semestre.",
    )
    y = s.para(
        70,
        y + 12,
        470,
        "Se extiende la presente a petición de la interesada, en San Nicolás de los Garza, "
        "N.L., a los cinco días del mes de noviembre de dos mil veintiséis (05/11/2026).",
    )
    s.scribble(250, y + 80)
    s.center(y + 100, "Mtra. Irma Cantú Salinas — Jefa del Departamento Escolar", 10, "Times-Roman")
    return s.bytes("Constancia de estudios"), {
        "patient_name": "MARIANA GUADALUPE LEAL SAUCEDO",
        "document_date": "2026-11-05",
    }


def prepa_tabla() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 60, "COLEGIO DE BACHILLERES DEL ESTADO DE PUEBLA", 12, "Helvetica-Bold")
    s.text(50, 76, "Plantel 05 · Control Escolar", 9)
    s.text(50, 110, "Constancia de Estudios", 12, "Helvetica-Bold")
    s.cell(50, 125, 320, 30, "Nombre del estudiante", "Diego Armando Téllez Cruz")
    s.cell(370, 125, 190, 30, "Matrícula", "2024-0571")
    s.cell(50, 155, 200, 30, "Ciclo escolar", "2026-2027")
    s.cell(250, 155, 120, 30, "Grado", "3er semestre")
    s.cell(370, 155, 190, 30, "Fecha de expedición", "12-11-2026")
    s.para(50, 210, 510, "El estudiante se encuentra inscrito y cursando regularmente sus estudios.", 10, "Helvetica")
    s.scribble(250, 300)
    s.text(230, 318, "Sello y firma de Control Escolar", 8)
    return s.bytes("Constancia de estudios"), {
        "patient_name": "DIEGO ARMANDO TELLEZ CRUZ",
        "document_date": "2026-11-12",
    }


# --- foreign invoices and receipts ----------------------------------------------------------


def _charges(s: Sheet, y: float, rows, x_desc=50, x_amount=560, size=9, font="Helvetica") -> float:
    for desc, amount in rows:
        s.text(x_desc, y, desc, size, font).right(x_amount, y, amount, size, font)
        y += size + 6
    return y


def us_hospital_statement() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 55, "Cedars-Sinai Medical Center", 16, "Helvetica-Bold")
    s.text(50, 70, "8700 Beverly Blvd, Los Angeles, CA 90048, USA", 9)
    s.right(560, 55, "PATIENT STATEMENT", 12, "Helvetica-Bold")
    s.right(560, 72, "Statement Date: 10/28/2026", 9)
    s.right(560, 84, "Account #: 20041877", 9)
    s.text(50, 110, "Patient Name: Alejandro Fuentes Mora", 9).text(50, 122, "Guarantor: Alejandro Fuentes Mora", 9)
    s.text(50, 134, "Date of Service: 10/24/2026", 9)
    s.hline(50, 560, 150)
    y = _charges(
        s,
        166,
        [
            ("Emergency room level 4", "2,180.00"),
            ("CT abdomen with contrast", "1,450.00"),
            ("Laboratory - comprehensive panel", "420.00"),
            ("Pharmacy", "200.00"),
        ],
    )
    s.hline(50, 560, y)
    y = _charges(
        s, y + 16, [("Total Charges", "$4,250.00"), ("Insurance Payments", "0.00"), ("Patient Payments", "0.00")]
    )
    s.text(50, y + 10, "AMOUNT DUE (USD)", 11, "Helvetica-Bold").right(560, y + 10, "$4,250.00", 11, "Helvetica-Bold")
    return s.bytes("Statement"), {
        "provider_name": "Cedars-Sinai Medical Center",
        "country": "US",
        "issued_on": "2026-10-28",
        "total": Decimal("4250.00"),
        "currency": "USD",
    }


def spain_factura() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.text(50, 60, "Clínica Universidad de Navarra", 15, "Times-Bold")
    s.text(50, 76, "Avda. Pío XII, 36 · 31008 Pamplona (Navarra) · España", 9, "Times-Roman")
    s.text(50, 88, "CIF: R-3168001-J", 9, "Times-Roman")
    s.right(545, 60, "FACTURA", 16, "Times-Bold")
    s.right(545, 78, "Nº factura: 2026/PA-014532", 9, "Times-Roman")
    s.right(545, 90, "Fecha de factura: 12/10/2026", 9, "Times-Roman")
    s.text(50, 125, "Paciente: Ximena Arellano Beltrán", 10, "Times-Roman")
    s.text(50, 139, "Pasaporte: G44120987 (México)", 10, "Times-Roman")
    s.hline(50, 545, 155)
    s.text(50, 170, "Concepto", 10, "Times-Bold").right(545, 170, "Importe", 10, "Times-Bold")
    y = _charges(
        s,
        188,
        [
            ("Consulta de urgencias", "180,00 €"),
            ("Radiografía de tobillo (2 proyecciones)", "95,00 €"),
            ("Férula de yeso e inmovilización", "575,00 €"),
        ],
        x_amount=545,
        font="Times-Roman",
        size=10,
    )
    s.hline(300, 545, y)
    y = _charges(
        s,
        y + 14,
        [("Base imponible", "850,00 €"), ("IVA (exento art. 20.1.3º LIVA)", "0,00 €")],
        x_desc=300,
        x_amount=545,
        font="Times-Roman",
        size=10,
    )
    s.text(300, y + 8, "TOTAL FACTURA", 12, "Times-Bold").right(545, y + 8, "850,00 €", 12, "Times-Bold")
    return s.bytes("Factura"), {
        "provider_name": "Clínica Universidad de Navarra",
        "country": "ES",
        "issued_on": "2026-10-12",
        "total": Decimal("850.00"),
        "currency": "EUR",
    }


def canada_invoice() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 55, "Vancouver General Hospital", 15, "Helvetica-Bold")
    s.text(50, 70, "Patient Accounts · 899 West 12th Avenue · Vancouver, BC V5Z 1M9 · Canada", 8)
    s.text(50, 105, "INVOICE", 18, "Helvetica-Bold")
    s.text(50, 130, "Invoice No.", 9).text(150, 130, "VGH-558201", 9)
    s.text(50, 143, "Invoice Date", 9).text(150, 143, "2026-10-15", 9)
    s.text(50, 156, "Bill To", 9).text(150, 156, "Paulina Cervantes Ríos (non-resident)", 9)
    s.hline(50, 560, 172)
    y = _charges(
        s,
        188,
        [
            ("Physician consultation - non-resident rate", "650.00"),
            ("Ultrasound, abdominal", "825.40"),
            ("Medications dispensed", "400.00"),
        ],
    )
    s.hline(350, 560, y)
    s.text(350, y + 16, "Subtotal", 9).right(560, y + 16, "1,875.40", 9)
    s.text(350, y + 29, "GST / PST", 9).right(560, y + 29, "exempt", 9)
    s.text(350, y + 46, "TOTAL", 11, "Helvetica-Bold").right(560, y + 46, "CAD 1,875.40", 11, "Helvetica-Bold")
    return s.bytes("Invoice"), {
        "provider_name": "Vancouver General Hospital",
        "country": "CA",
        "issued_on": "2026-10-15",
        "total": Decimal("1875.40"),
        "currency": "CAD",
    }


def colombia_factura() -> tuple[bytes, dict]:
    s = Sheet()
    s.center(50, "FUNDACIÓN SANTA FE DE BOGOTÁ", 14, "Helvetica-Bold")
    s.center(64, "NIT 860.037.950-2 · Carrera 7 No. 117-15 · Bogotá D.C., Colombia", 8)
    s.center(90, "FACTURA ELECTRÓNICA DE VENTA No. FE-88231", 11, "Helvetica-Bold")
    s.text(50, 120, "Fecha de emisión: 20 de octubre de 2026", 9)
    s.text(50, 133, "Cliente: Mauricio Salazar Ortega — Pasaporte N09877123", 9)
    s.text(50, 146, "Forma de pago: Contado", 9)
    s.hline(50, 560, 160)
    y = _charges(
        s,
        176,
        [("Consulta especializada ortopedia", "$ 350.000,00"), ("Resonancia magnética de rodilla", "$ 900.000,00")],
    )
    s.hline(350, 560, y)
    s.text(350, y + 16, "Subtotal", 9).right(560, y + 16, "$ 1.250.000,00", 9)
    s.text(350, y + 29, "IVA (excluido)", 9).right(560, y + 29, "$ 0,00", 9)
    s.text(350, y + 46, "Total a pagar", 10, "Helvetica-Bold").right(
        560, y + 46, "$ 1.250.000,00 COP", 10, "Helvetica-Bold"
    )
    return s.bytes("Factura"), {
        "provider_name": "FUNDACIÓN SANTA FE DE BOGOTÁ",
        "country": "CO",
        "issued_on": "2026-10-20",
        "total": Decimal("1250000.00"),
        "currency": "COP",
    }


def germany_invoice() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.text(50, 55, "Charité – Universitätsmedizin Berlin", 14, "Helvetica-Bold")
    s.text(50, 70, "Charitéplatz 1, 10117 Berlin, Germany", 9)
    s.text(50, 100, "Invoice / Rechnung", 13, "Helvetica-Bold")
    s.text(360, 100, "Date / Datum: 14.10.2026", 9)
    s.text(360, 113, "Invoice no.: 7100-332918", 9)
    s.text(50, 130, "Patient: Fernanda Ibarra Quintero", 9)
    s.hline(50, 545, 145)
    y = _charges(s, 160, [("Outpatient treatment (GOÄ 1, 5, 7)", "1.480,00"), ("Laboratory", "830,00")], x_amount=545)
    s.hline(300, 545, y)
    s.text(300, y + 18, "Total amount EUR", 10, "Helvetica-Bold").right(545, y + 18, "2.310,00", 10, "Helvetica-Bold")
    s.text(50, y + 50, "Please transfer within 30 days. IBAN DE12 1005 0000 0190 0000 00", 8)
    return s.bytes("Invoice"), {
        "provider_name": "Charité – Universitätsmedizin Berlin",
        "country": "DE",
        "issued_on": "2026-10-14",
        "total": Decimal("2310.00"),
        "currency": "EUR",
    }


def uk_receipt() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.center(60, "The London Clinic", 16, "Times-Bold")
    s.center(76, "20 Devonshire Place, London W1G 6BW, United Kingdom", 9, "Times-Roman")
    s.center(110, "RECEIPT", 14, "Times-Bold")
    s.text(60, 140, "Receipt no.: LC-0099213", 10, "Times-Roman").text(330, 140, "Date: 5 Oct 2026", 10, "Times-Roman")
    s.text(60, 155, "Received from: Humberto Lozano Reyes", 10, "Times-Roman")
    y = _charges(
        s,
        185,
        [("Consultant outpatient appointment", "£350.00"), ("X-ray chest", "£290.00")],
        x_desc=60,
        x_amount=535,
        font="Times-Roman",
        size=10,
    )
    s.hline(330, 535, y)
    s.text(330, y + 16, "Total paid", 11, "Times-Bold").right(535, y + 16, "£640.00", 11, "Times-Bold")
    s.text(60, y + 50, "Paid by card (Visa ****4421). Thank you.", 9, "Times-Roman")
    return s.bytes("Receipt"), {
        "provider_name": "The London Clinic",
        "country": "GB",
        "issued_on": "2026-10-05",
        "total": Decimal("640.00"),
        "currency": "GBP",
    }


def us_pharmacy_receipt() -> tuple[bytes, dict]:
    s = Sheet((226, 500))  # till roll
    s.center(30, "CVS Pharmacy #08812", 11, "Courier-Bold")
    s.center(44, "1549 Brickell Ave", 8, "Courier").center(54, "Miami, FL 33129", 8, "Courier")
    s.center(64, "(305) 555-0142", 8, "Courier")
    s.text(12, 90, "10/30/2026  14:22  REG 3", 8, "Courier")
    s.text(12, 110, "RX 4471902 AZITHROMYCIN", 8, "Courier").right(214, 110, "38.99", 8, "Courier")
    s.text(12, 121, "RX 4471903 BENZONATATE", 8, "Courier").right(214, 121, "24.50", 8, "Courier")
    s.text(12, 132, "THERMOMETER DIGITAL", 8, "Courier").right(214, 132, "16.99", 8, "Courier")
    s.text(12, 150, "SUBTOTAL", 8, "Courier").right(214, 150, "80.48", 8, "Courier")
    s.text(12, 161, "TAX 7.0%", 8, "Courier").right(214, 161, "1.19", 8, "Courier")
    s.text(12, 176, "TOTAL", 10, "Courier-Bold").right(214, 176, "$81.67", 10, "Courier-Bold")
    s.text(12, 195, "VISA CREDIT ****8812", 8, "Courier").right(214, 195, "81.67", 8, "Courier")
    s.center(225, "Thank you for shopping CVS", 7, "Courier")
    return s.bytes("Receipt"), {
        "provider_name": "CVS Pharmacy",
        "country": "US",
        "issued_on": "2026-10-30",
        "total": Decimal("81.67"),
        "currency": "USD",
    }


def chile_boleta() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 55, "Clínica Alemana de Santiago", 14, "Helvetica-Bold")
    s.text(50, 70, "Av. Vitacura 5951, Vitacura, Santiago, Chile · RUT 93.930.000-7", 8)
    s.box(380, 40, 180, 60, 1.2)
    s.text(392, 60, "BOLETA ELECTRÓNICA", 10, "Helvetica-Bold").text(392, 76, "N° 3318420", 10)
    s.text(50, 120, "Fecha emisión: 2026-10-18", 9).text(50, 133, "Señor(a): Óscar Villaseñor Pineda", 9)
    s.hline(50, 560, 148)
    y = _charges(s, 164, [("Atención de urgencia adulto", "$ 98.000"), ("Exámenes de laboratorio", "$ 87.000")])
    s.hline(350, 560, y)
    s.text(350, y + 18, "TOTAL", 11, "Helvetica-Bold").right(560, y + 18, "CLP $ 185.000", 11, "Helvetica-Bold")
    return s.bytes("Boleta"), {
        "provider_name": "Clínica Alemana de Santiago",
        "country": "CL",
        "issued_on": "2026-10-18",
        "total": Decimal("185000"),
        "currency": "CLP",
    }


# --- a second batch, written after the extractors were: their first reading is reported as a
# holdout in the README; they stay in the set afterwards ------------------------------------


def constancia_madre_hija() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(60, 70, "Asunto: Constancia de dependencia económica", 11, "Times-Bold")
    y = s.para(
        60,
        110,
        490,
        "Quien suscribe, C. Patricia Gómez Ruiz, asegurada titular de la póliza 4410-772, "
        "declaro bajo protesta de decir verdad que mi hija, la C. Fernanda Gómez Ruiz, de 24 años de edad, "
        "es soltera, no trabaja y vive en mi domicilio, por lo que depende económicamente de mí.",
        11,
    )
    y = s.para(60, y + 12, 490, "Puebla, Pue., 2 de noviembre del 2026.", 11)
    s.scribble(230, y + 70)
    s.center(y + 90, "Patricia Gómez Ruiz", 10, "Times-Roman")
    return s.bytes("Constancia"), {"patient_name": "FERNANDA GOMEZ RUIZ", "document_date": "2026-11-02"}


def carta_bajo_protesta_etiquetas() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.center(60, "CARTA BAJO PROTESTA DE DECIR VERDAD", 12, "Helvetica-Bold")
    s.center(76, "(Dependientes económicos mayores de 25 años)", 9)
    s.text(60, 120, "Fecha: 30/oct/2026", 10)
    s.text(60, 140, "Nombre del titular: Arturo Salinas Pineda", 10)
    s.text(60, 156, "Nombre del hijo(a): Regina Salinas Ortiz", 10)
    s.text(60, 172, "Edad: 26 años          Estado civil: soltera", 10)
    s.para(
        60,
        200,
        470,
        "Manifiesto que mi hija depende económicamente de mí y que no cuenta con seguridad social propia.",
        10,
        "Helvetica",
    )
    s.scribble(80, 300)
    s.text(60, 318, "Firma del titular", 8)
    return s.bytes("Carta bajo protesta"), {"patient_name": "REGINA SALINAS ORTIZ", "document_date": "2026-10-30"}


def issste_nota_medica() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(40, 50, "ISSSTE · Hospital General Tacuba", 12, "Helvetica-Bold")
    s.text(40, 66, "NOTA MÉDICA DE URGENCIAS", 11, "Helvetica-Bold")
    s.text(40, 95, "Nombre del paciente: Octavio Ramírez Zepeda", 10).text(360, 95, "Edad: 38", 10)
    s.text(40, 110, "Fecha y hora: 29/10/2026 13:45", 10).text(360, 110, "Cama: URG-07", 10)
    y = s.para(
        40,
        140,
        530,
        "Motivo de consulta: dolor torácico atípico de 4 horas. Exploración física sin "
        "alteraciones. ECG sin cambios agudos. Diagnóstico: R07.4 Dolor en el pecho, no especificado. "
        "Se egresa a domicilio con analgésico.",
        10,
        "Helvetica",
    )
    s.text(40, y + 40, "Dr. Hugo Cantú Ledesma — Urgencias — Céd. Prof. 5512390", 9)
    return s.bytes("Nota médica"), {"patient_name": "OCTAVIO RAMIREZ ZEPEDA", "document_date": "2026-10-29"}


def informe_aseguradora_cajas() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(40, 50, "INFORME MÉDICO PARA LA ASEGURADORA", 13, "Helvetica-Bold")
    s.text(40, 66, "Médica Sur · Torre I, consultorio 612", 9)
    s.cell(40, 85, 340, 30, "Nombre completo del paciente", "Lucía Fernanda Barragán Soto")
    s.cell(380, 85, 192, 30, "Fecha", "28 OCT 2026")
    s.cell(40, 115, 200, 30, "Fecha de inicio de síntomas", "15 OCT 2026")
    s.cell(240, 115, 332, 30, "Diagnóstico (CIE-10)", "M51.1 Hernia de disco lumbar con radiculopatía")
    s.para(
        40,
        170,
        532,
        "Tratamiento propuesto: discectomía L4-L5 por mínima invasión. Tiempo estimado de hospitalización: 2 días.",
        10,
        "Helvetica",
    )
    s.scribble(380, 260)
    s.text(380, 278, "Dr. Marco Antonio Ruelas · Céd. Prof. 2233445", 8)
    return s.bytes("Informe médico"), {"patient_name": "LUCIA FERNANDA BARRAGAN SOTO", "document_date": "2026-10-28"}


def imss_resumen_mayusculas() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 55, "INSTITUTO MEXICANO DEL SEGURO SOCIAL", 10, "Courier-Bold")
    s.text(50, 68, "HOSPITAL GENERAL DE ZONA NO. 1A LOS VENADOS", 9, "Courier")
    s.text(50, 95, "RESUMEN CLINICO", 12, "Courier-Bold")
    s.text(50, 120, "PACIENTE: ROSALBA IBARRA DE LA CRUZ      NSS: 3298 61 0071 2F", 9, "Courier")
    s.text(50, 134, "FECHA DE NACIMIENTO: 14/02/1961", 9, "Courier")
    y = s.para(
        50,
        160,
        510,
        "PACIENTE FEMENINO DE 65 AÑOS CON DIABETES MELLITUS TIPO 2 Y ENFERMEDAD RENAL "
        "CRÓNICA ESTADIO 3, EN TRATAMIENTO CON INSULINA. SE ENVÍA A SEGUNDO NIVEL PARA VALORACIÓN POR "
        "NEFROLOGÍA.",
        9,
        "Courier",
    )
    s.text(50, y + 20, "CIUDAD DE MÉXICO, A 27 DE OCTUBRE DE 2026", 9, "Courier")
    s.scribble(300, y + 80)
    s.text(300, y + 96, "MÉDICO FAMILIAR, MAT. 98221133", 8, "Courier")
    return s.bytes("Resumen clínico"), {"patient_name": "ROSALBA IBARRA DE LA CRUZ", "document_date": "2026-10-27"}


def medica_sur_receta() -> tuple[bytes, dict]:
    s = Sheet((396, 612))
    s.text(25, 40, "MÉDICA SUR", 14, "Helvetica-Bold").text(25, 54, "Puente de Piedra 150, Tlalpan, CDMX", 7)
    s.right(371, 40, "Receta médica", 11, "Helvetica-Bold")
    s.text(25, 80, "Paciente", 7).text(25, 92, "Mateo Alejandro Cruz Villanueva", 10, "Helvetica-Bold")
    s.text(260, 80, "Fecha", 7).text(260, 92, "2026-11-08", 10, "Helvetica-Bold")
    s.text(25, 120, "1. Ciprofloxacino 500 mg tabletas", 9).text(35, 132, "Tomar 1 tableta cada 12 horas por 7 días", 9)
    s.text(25, 150, "2. Fenazopiridina 100 mg", 9).text(35, 162, "Tomar 1 tableta cada 8 horas por 3 días", 9)
    s.text(25, 190, "Próxima cita: 15/11/2026", 9)
    s.scribble(200, 540, 90)
    s.text(180, 556, "Dra. Elena Pruneda · Urología · Céd. Prof. 7781234", 7)
    return s.bytes("Receta"), {"patient_name": "MATEO ALEJANDRO CRUZ VILLANUEVA", "document_date": "2026-11-08"}


def receta_puntos_suspensivos() -> tuple[bytes, dict]:
    s = Sheet((396, 612))
    s.center(40, "Dr. Gilberto Náñez Ocampo", 14, "Times-Italic")
    s.center(55, "Otorrinolaringología · Céd. Prof. 3021987 · Reg. S.S.A. 44-1021", 8, "Times-Roman")
    s.hline(25, 371, 64)
    s.text(25, 90, "Paciente ........................ Joaquín Ruiz Dávila", 10, "Times-Roman")
    s.text(25, 106, "Fecha: 7/11/26", 10, "Times-Roman")
    s.text(25, 135, "Rp/", 13, "Times-Bold")
    s.text(35, 155, "Oximetazolina 0.05% gotas nasales", 10, "Times-Roman")
    s.text(45, 169, "2 gotas en cada fosa nasal cada 12 horas por 5 días", 10, "Times-Roman")
    s.scribble(200, 540, 90)
    return s.bytes("Receta"), {"patient_name": "JOAQUIN RUIZ DAVILA", "document_date": "2026-11-07"}


def secundaria_constancia() -> tuple[bytes, dict]:
    s = Sheet()
    s.center(60, "ESCUELA SECUNDARIA TÉCNICA No. 87", 12, "Helvetica-Bold")
    s.center(75, "C.C.T. 14DST0087K · Zapopan, Jalisco", 8)
    s.center(110, "CONSTANCIA", 13, "Helvetica-Bold")
    y = s.para(
        60,
        150,
        490,
        "La Dirección de este plantel hace constar que el alumno Juan Pablo Ríos Mena, con "
        "CURP RIMJ120304HJCSNN08, se encuentra inscrito en el tercer grado, grupo B, del ciclo escolar "
        "2026-2027.",
        11,
        "Helvetica",
    )
    y = s.para(60, y + 12, 490, "Zapopan, Jal., 6 de noviembre de 2026.", 11, "Helvetica")
    s.scribble(250, y + 70)
    s.center(y + 90, "Profra. Silvia Orozco Lara — Directora", 9)
    return s.bytes("Constancia"), {"patient_name": "JUAN PABLO RIOS MENA", "document_date": "2026-11-06"}


def us_urgent_care_invoice() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 50, "Memorial Hermann Urgent Care", 14, "Times-Bold")
    s.text(50, 64, "6411 Fannin St, Houston, TX 77030", 9, "Times-Roman")
    s.text(50, 76, "Tax ID 74-1152597", 9, "Times-Roman")
    s.box(360, 40, 200, 56)
    s.text(370, 56, "INVOICE", 12, "Times-Bold")
    s.text(370, 72, "Invoice Date: Oct 12, 2026", 9, "Times-Roman").text(
        370, 86, "Invoice #: UC-99812", 9, "Times-Roman"
    )
    s.text(50, 120, "Bill To: Rodrigo Benítez Aguilar", 9, "Times-Roman")
    s.text(50, 133, "Date of Service: 10/11/2026", 9, "Times-Roman")
    y = _charges(s, 160, [("Urgent care visit, level 3", "245.00"), ("Rapid strep test", "65.00")], font="Times-Roman")
    s.text(360, y + 16, "Balance Due", 10, "Times-Bold").right(560, y + 16, "$310.00", 10, "Times-Bold")
    return s.bytes("Invoice"), {
        "provider_name": "Memorial Hermann Urgent Care",
        "country": "US",
        "issued_on": "2026-10-12",
        "total": Decimal("310.00"),
        "currency": "USD",
    }


def argentina_factura() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 50, "Hospital Italiano de Buenos Aires", 13, "Helvetica-Bold")
    s.text(50, 64, "Tte. Gral. Juan D. Perón 4190, C1199ABB CABA, Argentina · CUIT 30-54592186-1", 8)
    s.box(280, 80, 40, 34, 1.2)
    s.text(293, 104, "B", 18, "Helvetica-Bold")
    s.text(340, 95, "FACTURA N° 0004-00081273", 10, "Helvetica-Bold")
    s.text(340, 108, "Fecha de emisión: 09/10/2026", 9)
    s.text(50, 140, "Señor(es): Valentina Haro Mejía — Pasaporte mexicano", 9)
    y = _charges(s, 165, [("Consulta guardia clínica", "$ 85.300,00"), ("Tomografía de tórax", "$ 160.000,00")])
    s.text(340, y + 16, "Importe Total:", 10, "Helvetica-Bold").right(560, y + 16, "$ 245.300,00", 10, "Helvetica-Bold")
    return s.bytes("Factura"), {
        "provider_name": "Hospital Italiano de Buenos Aires",
        "country": "AR",
        "issued_on": "2026-10-09",
        "total": Decimal("245300.00"),
        "currency": "ARS",
    }


def france_invoice() -> tuple[bytes, dict]:
    s = Sheet(A4)
    s.text(50, 55, "American Hospital of Paris", 14, "Helvetica-Bold")
    s.text(50, 69, "55 Boulevard du Château, 92200 Neuilly-sur-Seine, France", 8)
    s.text(50, 100, "INVOICE / FACTURE", 12, "Helvetica-Bold")
    s.text(50, 120, "Invoice date: 03/10/2026", 9).text(300, 120, "Patient: Gerardo Llamas Téllez", 9)
    y = _charges(s, 145, [("Consultation (specialist)", "250,00"), ("MRI knee", "1 000,00")], x_amount=545)
    s.text(300, y + 16, "Total TTC (EUR)", 10, "Helvetica-Bold").right(545, y + 16, "1 250,00 €", 10, "Helvetica-Bold")
    return s.bytes("Invoice"), {
        "provider_name": "American Hospital of Paris",
        "country": "FR",
        "issued_on": "2026-10-03",
        "total": Decimal("1250.00"),
        "currency": "EUR",
    }


def costa_rica_recibo() -> tuple[bytes, dict]:
    s = Sheet()
    s.center(50, "Hospital CIMA San José", 14, "Helvetica-Bold")
    s.center(64, "Autopista Próspero Fernández, Escazú, San José, Costa Rica", 8)
    s.center(92, "COMPROBANTE DE PAGO / RECIBO", 11, "Helvetica-Bold")
    s.text(60, 120, "Fecha: 16-10-2026", 9).text(330, 120, "Recibo: 2026-004512", 9)
    s.text(60, 134, "Paciente: Aurora Villegas Ponce", 9)
    y = _charges(
        s, 160, [("Atención en emergencias", "520.00"), ("Laboratorio clínico", "260.00")], x_desc=60, x_amount=540
    )
    s.text(330, y + 16, "Total:", 10, "Helvetica-Bold").right(540, y + 16, "USD 780.00", 10, "Helvetica-Bold")
    return s.bytes("Recibo"), {
        "provider_name": "Hospital CIMA San José",
        "country": "CR",
        "issued_on": "2026-10-16",
        "total": Decimal("780.00"),
        "currency": "USD",
    }


def cuba_factura() -> tuple[bytes, dict]:
    s = Sheet()
    s.text(50, 50, "Clínica Central Cira García", 13, "Times-Bold")
    s.text(50, 64, "Calle 20 No. 4101, Miramar, Playa, La Habana, Cuba", 8, "Times-Roman")
    s.text(50, 95, "FACTURA", 14, "Times-Bold").text(360, 95, "Fecha: 11/10/2026", 10, "Times-Roman")
    s.text(50, 120, "Cliente: Ernesto Valdivia Rocha", 10, "Times-Roman")
    y = _charges(s, 145, [("Consulta internacional", "150.00"), ("Estudios de imagen", "200.00")], font="Times-Roman")
    s.text(360, y + 16, "Total:", 11, "Times-Bold").right(560, y + 16, "350.00 USD", 11, "Times-Bold")
    return s.bytes("Factura"), {
        "provider_name": "Clínica Central Cira García",
        "country": "CU",
        "issued_on": "2026-10-11",
        "total": Decimal("350.00"),
        "currency": "USD",
    }


# --- the set --------------------------------------------------------------------------------

DIGITAL = (
    ("dependent_declaration", "declaration:carta-solteria-libre", "carta_solteria.pdf", carta_solteria_libre),
    (
        "dependent_declaration",
        "declaration:dependencia-economica-libre",
        "dependencia_economica.pdf",
        dependencia_economica_libre,
    ),
    ("dependent_declaration", "declaration:tabla-aseguradora", "declaracion_dependiente.pdf", declaracion_tabla),
    ("dependent_declaration", "declaration:manifiesto-mayusculas", "manifiesto.pdf", manifiesto_soltero_mayusculas),
    ("medical_report", "medical:imss-nota-egreso", "nota_egreso.pdf", imss_nota_egreso),
    ("medical_report", "medical:issste-resumen-clinico", "resumen_clinico.pdf", issste_resumen_clinico),
    ("medical_report", "medical:privado-informe-tabla", "informe_medico.pdf", privado_informe_tabla),
    ("medical_report", "medical:privado-alta-cajas", "resumen_alta.pdf", privado_alta_cajas),
    ("prescription", "prescription:imss-receta-individual", "receta_imss.pdf", imss_receta),
    ("prescription", "prescription:issste-receta", "receta_issste.pdf", issste_receta),
    ("prescription", "prescription:membrete-pediatra", "receta_pediatra.pdf", membrete_doctor),
    ("prescription", "prescription:farmacia-consultorio", "receta_farmacia.pdf", farmacia_consultorio),
    ("student_certificate", "student:universidad-hace-constar", "constancia_uanl.pdf", universidad_hace_constar),
    ("student_certificate", "student:bachillerato-tabla", "constancia_cobaep.pdf", prepa_tabla),
    ("foreign_invoice", "foreign:us-hospital-statement", "cedars_statement.pdf", us_hospital_statement),
    ("foreign_invoice", "foreign:es-factura-clinica", "factura_cun.pdf", spain_factura),
    ("foreign_invoice", "foreign:ca-hospital-invoice", "vgh_invoice.pdf", canada_invoice),
    ("foreign_invoice", "foreign:co-factura-electronica", "factura_fsfb.pdf", colombia_factura),
    ("foreign_invoice", "foreign:de-invoice-rechnung", "charite_invoice.pdf", germany_invoice),
    ("foreign_invoice", "foreign:uk-receipt", "london_clinic_receipt.pdf", uk_receipt),
    ("foreign_invoice", "foreign:us-pharmacy-till", "cvs_receipt.pdf", us_pharmacy_receipt),
    ("foreign_invoice", "foreign:cl-boleta", "boleta_alemana.pdf", chile_boleta),
    # second batch (holdout when first read)
    ("dependent_declaration", "declaration:constancia-madre-hija", "constancia_dependencia.pdf", constancia_madre_hija),
    (
        "dependent_declaration",
        "declaration:bajo-protesta-etiquetas",
        "carta_bajo_protesta.pdf",
        carta_bajo_protesta_etiquetas,
    ),
    ("medical_report", "medical:issste-nota-medica", "nota_medica.pdf", issste_nota_medica),
    ("medical_report", "medical:privado-informe-aseguradora", "informe_aseguradora.pdf", informe_aseguradora_cajas),
    ("medical_report", "medical:imss-resumen-mayusculas", "resumen_imss.pdf", imss_resumen_mayusculas),
    ("prescription", "prescription:hospital-privado-cajas", "receta_medica_sur.pdf", medica_sur_receta),
    ("prescription", "prescription:membrete-puntos", "receta_orl.pdf", receta_puntos_suspensivos),
    ("student_certificate", "student:secundaria-carta", "constancia_secundaria.pdf", secundaria_constancia),
    ("foreign_invoice", "foreign:us-urgent-care", "urgent_care_invoice.pdf", us_urgent_care_invoice),
    ("foreign_invoice", "foreign:ar-factura-b", "factura_hiba.pdf", argentina_factura),
    ("foreign_invoice", "foreign:fr-invoice-facture", "ahp_invoice.pdf", france_invoice),
    ("foreign_invoice", "foreign:cr-recibo", "recibo_cima.pdf", costa_rica_recibo),
    ("foreign_invoice", "foreign:cu-factura", "factura_cira_garcia.pdf", cuba_factura),
)

# (digital builder, how it was scanned or photographed): one or two per kind, mild to rough.
SCANNED = (
    (carta_solteria_libre, "jpg", dict(skew=1.5, blur=0.6, noise=20, quality=70)),
    (declaracion_tabla, "pdf", dict(rotate=90, skew=-1.0, noise=15)),
    (imss_nota_egreso, "pdf", dict(skew=-2.0, blur=0.5, noise=25, quality=60)),
    (issste_resumen_clinico, "jpg", dict(skew=1.0, noise=20, quality=65)),
    (membrete_doctor, "jpg", dict(skew=-1.5, blur=0.7, noise=25, quality=60)),
    (imss_receta, "pdf", dict(skew=1.0, noise=15)),
    (universidad_hace_constar, "pdf", dict(skew=-1.0, noise=20, quality=65)),
    (us_hospital_statement, "pdf", dict(skew=1.2, blur=0.5, noise=20)),
    (spain_factura, "jpg", dict(rotate=180, skew=-1.0, noise=20, quality=65)),
    (us_pharmacy_receipt, "jpg", dict(dpi=200, skew=2.0, noise=20, quality=70)),
    (constancia_madre_hija, "jpg", dict(skew=-1.2, blur=0.5, noise=20, quality=65)),
    (imss_resumen_mayusculas, "pdf", dict(skew=1.5, noise=25, quality=60)),
    (medica_sur_receta, "jpg", dict(rotate=90, skew=1.0, noise=15, quality=70)),
    (argentina_factura, "pdf", dict(skew=-1.5, blur=0.6, noise=20)),
    (cuba_factura, "jpg", dict(skew=1.0, noise=20, quality=65)),
)


@lru_cache(maxsize=1)
def cases() -> list[Case]:
    from samples.builders.scan import Degradation, scanned_jpeg, scanned_pdf  # pixels only

    out: list[Case] = []
    by_builder = {}
    for kind, layout, name, build in DIGITAL:
        data, expected = build()
        by_builder[build] = (kind, layout, name, data, expected)
        out.append(Case(name, data, kind, "digital", layout, expected))
    for seed, (build, fmt, how) in enumerate(SCANNED):
        kind, layout, name, data, expected = by_builder[build]
        degradation = Degradation(seed=seed, **how)
        scan = scanned_jpeg(data, degradation) if fmt == "jpg" else scanned_pdf(data, degradation)
        stem = name.rsplit(".", 1)[0]
        out.append(Case(f"{stem}_escaneo.{fmt}", scan, kind, "scanned", layout, expected))
    return out
