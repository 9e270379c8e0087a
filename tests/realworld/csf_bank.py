"""Constancias de Situación Fiscal and bank statements in layouts that are not the samples'."""

from __future__ import annotations

from .cases import Case


def cases() -> list[Case]:
    return []
