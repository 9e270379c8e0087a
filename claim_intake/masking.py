"""Personal data out of logs: RFC, CURP and CLABE are masked wherever a log line carries them.

Reports show what compliance needs through `mask_rfc`/`mask_clabe` explicitly; logs get the
filter, so a careless f-string can never leak a taxpayer's identifiers."""

from __future__ import annotations

import logging
import re

CURP = re.compile(r"\b([A-Z][AEIOUX][A-Z]{2})(\d{6})([HM][A-Z]{5}[A-Z0-9]\d)\b")
RFC = re.compile(r"\b([A-ZÑ&]{3,4})(\d{6})([A-Z0-9]{3})\b")
CLABE = re.compile(r"\b(\d{14})(\d{4})\b")


def mask_rfc(rfc: str) -> str:
    """Initials and homoclave only: the middle six digits are a birth or founding date."""
    rfc = rfc.strip().upper()
    return rfc[:-9] + "******" + rfc[-3:] if len(rfc) in (12, 13) else "*" * len(rfc)


def mask_clabe(clabe: str) -> str:
    """Last four digits only, as banks show an account."""
    digits = "".join(c for c in clabe if c.isdigit())
    return "*" * max(0, len(digits) - 4) + digits[-4:]


def mask_text(text: str) -> str:
    text = CURP.sub(lambda m: m[1] + "******" + "*" * 6 + m[3][-2:], text)
    text = RFC.sub(lambda m: m[1] + "******" + m[3], text)
    return CLABE.sub(lambda m: "*" * 14 + m[2], text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with personal identifiers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_masking(*logger_names: str) -> None:
    for name in logger_names or ("claim_intake", "prefect", ""):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
