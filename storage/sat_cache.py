"""Cache of SAT status answers per CFDI UUID (table `sat_status_cache`).

- `Cancelado` is final: once SAT said it, it is never asked again.
- Any other answer (`Vigente`, `No Encontrado`) is re-asked once older than `max_age`, and
  always when the folio is going to adjudication today unless it was obtained today (Mexico
  City's calendar day): money is paid on a status of the same day.
- Failures are never stored: only a `SatStatus` can be put, and a failed lookup raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.sat import CANCELADO, SatStatus

from .schema import sat_status_cache as _t

MX = ZoneInfo("America/Mexico_City")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SatStatusCache:
    def __init__(self, engine: Engine, max_age: timedelta = timedelta(hours=24)):
        self.engine = engine
        self.max_age = max_age
        _t.create(engine, checkfirst=True)

    def get(self, uuid: str, *, now: datetime | None = None, adjudication_today: bool = False) -> SatStatus | None:
        """The stored answer when it may be used without asking SAT, else None."""
        now = _aware(now or datetime.now(UTC))
        with self.engine.begin() as conn:
            row = conn.execute(
                select(_t.c.estado, _t.c.checked_at, _t.c.answer).where(_t.c.uuid == uuid.upper())
            ).first()
        if row is None:
            return None
        status = SatStatus.model_validate(row.answer).model_copy(update={"from_cache": True})
        if row.estado == CANCELADO:
            return status
        checked_at = _aware(row.checked_at)
        if adjudication_today and checked_at.astimezone(MX).date() != now.astimezone(MX).date():
            return None
        if now - checked_at > self.max_age:
            return None
        return status

    def put(self, status: SatStatus) -> None:
        """Store an answer SAT gave. A Cancelado already stored is never replaced."""
        if not isinstance(status, SatStatus):
            raise TypeError("only SAT answers are cached, never failures")
        uuid = status.uuid.upper()
        values = {
            "estado": status.estado or "",
            "checked_at": _aware(status.checked_at),
            "answer": status.model_dump(mode="json", exclude={"from_cache"}),
        }
        for _ in range(2):  # a concurrent first insert of the same UUID: update instead
            try:
                with self.engine.begin() as conn:
                    current = conn.execute(select(_t.c.estado).where(_t.c.uuid == uuid)).first()
                    if current is None:
                        conn.execute(insert(_t).values(uuid=uuid, **values))
                    elif current.estado != CANCELADO:
                        conn.execute(update(_t).where(_t.c.uuid == uuid).values(**values))
                return
            except IntegrityError:
                continue
