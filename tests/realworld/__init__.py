"""A labelled set that is not ours (issue 14): documents laid out the way other generators,
SAT's several vintages and some forty Mexican banks print them, built by this package's own
layouts (never the samples' builders), each with the fields a claims clerk would read from it.

`all_cases()` gathers every module's cases; each module owns its layouts:
- `csf_bank`: Constancias de Situación Fiscal and bank statements;
- `others`: declaration letters, medical reports, prescriptions, foreign invoices and receipts.
"""

from __future__ import annotations

from .cases import Case


def all_cases() -> list[Case]:
    from . import csf_bank, others

    return [*csf_bank.cases(), *others.cases()]
