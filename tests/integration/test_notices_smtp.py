"""Pending-documents notices over real SMTP: an aiosmtpd server on 127.0.0.1 receives them and
the test reads the message back; a server that is down never loses the decision, the notice is
recorded as failed and is sent later by `claim-intake notices --retry`."""

from __future__ import annotations

import email
import json
import os
import socket
import subprocess
import sys
from datetime import date
from email.policy import default
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")
ROOT = Path(__file__).resolve().parents[2]
FOLIO = "DF-2026-000302"  # CSF older than 30 days: one rejected file and one missing kind


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_server(port: int):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def parts(raw: bytes) -> tuple[email.message.EmailMessage, str, str]:
    msg = email.message_from_bytes(raw, policy=default)
    return msg, msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def run_folio(sample_folios):
    from flows.intake import intake_folio

    folio_dir = next(p for p in sample_folios if p.name == FOLIO)
    return intake_folio(str(folio_dir), date(2026, 11, 20))


def notice_rows(folio: str) -> list[dict]:
    from domain.config import Settings
    from notify.notices import NoticeStore
    from storage import open_storage

    return NoticeStore(open_storage(Settings()).state.engine).list(folio=folio)


def test_notice_is_sent_and_read_back_from_smtp(home, sample_folios, monkeypatch):
    port = free_port()
    controller, inbox = smtp_server(port)
    try:
        monkeypatch.setenv("CLAIM_INTAKE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CLAIM_INTAKE_SMTP_PORT", str(port))
        monkeypatch.setenv("CLAIM_INTAKE_SMTP_FROM", "reclamaciones@aseguradora.example")
        decision = run_folio(sample_folios)
    finally:
        controller.stop()
    assert decision.route.value == "pending_documents"
    assert len(inbox.messages) == 1
    rcpts, raw = inbox.messages[0]
    msg, text, html = parts(raw)
    assert rcpts == ["mf@example.com"] and msg["To"] == "mf@example.com"
    assert msg["From"] == "reclamaciones@aseguradora.example" and FOLIO in msg["Subject"]
    rejected = [d for d in decision.documents if d.status.value == "rejected"]
    assert rejected
    for body in (text, html):
        for doc in rejected:
            assert doc.file in body
        assert "más de 30 días" in body  # the reason in plain words (CSF-002)
        for kind in decision.missing:
            assert kind.name_es in body
    assert "<h2" in html and "<h2" not in text
    row = notice_rows(FOLIO)[0]
    assert (row["status"], row["attempts"], row["recipient"]) == ("sent", 1, "mf@example.com")
    assert row["body_text"].split() == text.split()


def test_send_failure_keeps_the_decision_and_is_retried_later(home, sample_folios, monkeypatch):
    from domain.config import Settings
    from storage import open_storage

    port = free_port()  # nothing listens there yet
    monkeypatch.setenv("CLAIM_INTAKE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAIM_INTAKE_SMTP_PORT", str(port))
    monkeypatch.setenv("CLAIM_INTAKE_SMTP_TIMEOUT_S", "2")
    decision = run_folio(sample_folios)
    state = open_storage(Settings()).state
    assert [d.route.value for d in state.history(FOLIO)] == ["pending_documents"]
    assert state.queue_of(FOLIO) == "pending_documents"
    row = notice_rows(FOLIO)[0]
    assert row["status"] == "failed" and row["attempts"] == 3  # the task's first try and two retries
    assert "127.0.0.1" in row["last_error"]

    env = {**os.environ, "CLAIM_INTAKE_HOME": str(home)}
    listed = subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", "notices", "--status", "failed", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert [r["folio"] for r in json.loads(listed.stdout)] == [FOLIO]

    controller, inbox = smtp_server(port)
    try:
        retried = subprocess.run(
            [sys.executable, "-m", "claim_intake.cli", "notices", "--retry", "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        controller.stop()
    assert retried.returncode == 0, retried.stderr
    assert [(r["folio"], r["status"], r["attempts"]) for r in json.loads(retried.stdout)] == [(FOLIO, "sent", 4)]
    assert len(inbox.messages) == 1
    _, text, _ = parts(inbox.messages[0][1])
    assert decision.folio in text and "constancia.pdf" in text


def test_no_smtp_host_stores_the_notice_as_pending(home, sample_folios, monkeypatch):
    monkeypatch.delenv("CLAIM_INTAKE_SMTP_HOST", raising=False)
    run_folio(sample_folios)
    row = notice_rows(FOLIO)[0]
    assert row["status"] == "pending" and row["attempts"] == 0 and "SMTP" in row["last_error"]
    assert (home / "reports" / FOLIO / "notice-001.html").is_file()
