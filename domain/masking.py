"""Personal data out of logs: RFC, CURP and CLABE are masked wherever a log line carries them.

Reports show what compliance needs through `mask_rfc`/`mask_clabe` explicitly; logs get the
filter, so a careless f-string can never leak a taxpayer's identifiers."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

# Bounded by lookarounds, not \b: "_" is a word character, so "\bRFC\b" missed the RFC of a file
# named "LOGM850312QH5_csf.pdf". Any case: claimants name files in lower case too.
CURP = re.compile(r"(?<![A-Z0-9])([A-Z][AEIOUX][A-Z]{2})(\d{6})([HM][A-Z]{5}[A-Z0-9]\d)(?![A-Z0-9])", re.IGNORECASE)
RFC = re.compile(r"(?<![A-Z0-9Ñ&])([A-ZÑ&]{3,4})(\d{6})([A-Z0-9]{3})(?![A-Z0-9])", re.IGNORECASE)
CLABE = re.compile(r"(?<!\d)(\d{14})(\d{4})(?!\d)")


def mask_rfc(rfc: str) -> str:
    """Initials and homoclave only: the middle six digits are a birth or founding date."""
    rfc = rfc.strip().upper()
    return rfc[:-9] + "******" + rfc[-3:] if len(rfc) in (12, 13) else "*" * len(rfc)


def mask_clabe(clabe: str) -> str:
    """Last four digits only, as banks show an account."""
    digits = "".join(c for c in clabe if c.isdigit())
    return "*" * max(0, len(digits) - 4) + digits[-4:]


def mask_text(text: str) -> str:
    """Every RFC, CURP and CLABE in `text` masked, wherever it sits: in a sentence, a path or a
    file name ("LOGM850312QH5_csf.pdf" -> "LOGM******QH5_csf.pdf")."""
    text = CURP.sub(lambda m: m[1] + "******" + "*" * 6 + m[3][-2:], text)
    text = RFC.sub(lambda m: m[1] + "******" + m[3], text)
    return CLABE.sub(lambda m: "*" * 14 + m[2], text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message, and its traceback (an exception's message may name a
    file), with personal identifiers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:  # formatters reuse exc_text when it is set
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        return True


class MaskedStream:
    """stderr with identifiers masked, for the command line's own messages (errors, progress):
    what it prints does not go through logging. Looks sys.stderr up on every write, as
    `Console(stderr=True)` does, so a test that swaps sys.stderr still sees the output."""

    def write(self, text: str) -> int:
        return sys.stderr.write(mask_text(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(sys.stderr, name)


def install_masking(*logger_names: str) -> None:
    for name in logger_names or ("claim_intake", "prefect", ""):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
