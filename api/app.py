"""The intake API: portals create folios and add files, read status and decision history;
adjudicators list, claim and release queue entries. `create_app()` builds it from Settings;
`uvicorn --factory api.app:create_app` serves it.

Uploads stream straight into the blob store (local files or S3), each file staged under a
temporary name while it is hashed (api/uploads.py), and become blobs only when the whole upload
was accepted, inside the database transaction that checks the folio limits and registers the
files (api/store.py), so concurrent uploads to one folio never pass the limits together. Nothing
is written to this machine's disk: the worker takes the folio in from the database and the blob
store by its id. Each accepted upload is handed to the dispatcher (api/trigger.py) as a folio
reference (id and upload number), which starts the flow run."""

from __future__ import annotations

import hashlib
import re
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from domain.config import Settings
from domain.errors import InputError
from domain.folio import parse_manifest
from storage import QUEUES, Storage, open_storage

from . import keys
from .console import mount_console
from .models import (
    ERRORS,
    UPLOAD_BODY,
    Accepted,
    ClaimRequest,
    ClaimResult,
    FolioStatus,
    QueueEntry,
    ReleaseRequest,
    ReleaseResult,
)
from .store import AcceptedFile, ApiStore, Limits, OverLimit
from .sweeper import StagingSweeper
from .trigger import Dispatcher, Job, deployment_runner, in_process_runner
from .uploads import StreamingUpload, UploadRefused

FOLIO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DRAIN_LIMIT = 64 * 1024 * 1024  # after a refusal, read at most this much more so the client sees the 413


class ApiError(InputError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _note_run(api_store: ApiStore, storage: Storage, jobs: list[Job], run_id: str | None) -> None:
    """Which flow run each folio's round was handed (the console links it; the recovery flow
    leaves a round alone while its run still runs)."""
    api_store.set_flow_run([j.folio for j in jobs], run_id)
    storage.state.set_round_runs([(j.folio, j.upload) for j in jobs], run_id)


def create_app(settings: Settings | None = None, runner=None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        storage = open_storage(settings)
        ruleset = settings.load_ruleset()
        api_store = ApiStore(storage.state.engine, storage.blobs)
        api = settings.api
        run = runner or (deployment_runner(api.deployment) if api.deployment else in_process_runner())
        dispatcher = Dispatcher(
            run,
            api.batch_window_s,
            api.batch_max,
            not_started=getattr(run, "not_started", None),
            max_waiting=api.max_waiting_runs,
            on_started=lambda jobs, run_id: _note_run(api_store, storage, jobs, run_id),
        )
        sweeper = StagingSweeper(storage.blobs, settings.storage.staging_max_age_s).start()
        app.state.ctx = dict(
            settings=settings,
            storage=storage,
            api=api_store,
            dispatcher=dispatcher,
            max_files=ruleset.thresholds.max_files,
            max_bytes=ruleset.thresholds.max_bytes,
            limits=Limits(ruleset.thresholds.max_files, ruleset.thresholds.max_bytes),
        )
        yield
        sweeper.close()
        dispatcher.close()

    app = FastAPI(
        title="claim-intake API",
        version="1",
        lifespan=lifespan,
        description="Intake of medical-expense claim folios for upstream portals (docs/deploy.md).",
    )

    @app.exception_handler(ApiError)
    async def _api_error(request, exc: ApiError):
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request, exc):
        return _error(exc.status_code, "HTTP", str(exc.detail))

    @app.exception_handler(ClientDisconnect)
    async def _gone(request, exc):
        """The client left, or was cut off for sending too slowly (api/serving.py): nobody reads
        this answer, and it is no server error worth a traceback in the log."""
        return _error(400, "CLIENT_DISCONNECTED", "the client disconnected before the request was complete")

    @app.exception_handler(RequestValidationError)
    async def _validation(request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, "INVALID", f"{where}: {first.get('msg')}")

    mount_console(app)

    header = APIKeyHeader(name="X-API-Key", auto_error=False, description="per-portal key: claim-intake api-key create")

    def portal(request: Request, key: str | None = Depends(header)) -> str:
        found = keys.portal_of(request.app.state.ctx["storage"].state.engine, key)
        if found is None:
            raise ApiError(401, "UNAUTHORIZED", "missing, unknown or revoked X-API-Key")
        return found

    def owned(request: Request, folio: str, who: str) -> dict:
        row = request.app.state.ctx["api"].owned(folio, who)
        if row is None:  # another owner's folio is as good as absent
            raise ApiError(404, "NOT_FOUND", f"folio {folio!r} not found for this portal")
        return row

    def taken(folio: str) -> ApiError:
        """One answer for every taken id, whoever has it (this portal, another one, the command
        line): ids are global, so that an id is taken cannot be hidden; whose it is can."""
        return ApiError(
            409,
            "FOLIO_EXISTS",
            f"folio id {folio!r} is already taken; a folio this portal "
            "created gets more files with POST /folios/{id}/files",
        )

    async def receive(request: Request, ctx: dict, *, held: dict[str, int] | None = None, manifest_allowed=True):
        """The upload staged in the blob store (nothing visible yet), or ApiError with every
        staged byte removed. Each chunk goes to the store from a worker thread: an S3 store
        sends a part once it has one, and the event loop must not wait on that."""
        blobs = ctx["storage"].blobs
        try:
            upload = StreamingUpload(
                request.headers.get("content-type", ""),
                blobs,
                max_files=ctx["max_files"],
                max_bytes=ctx["max_bytes"],
                existing_files=len(held or {}),
                existing_bytes=sum((held or {}).values()),
                replaceable=held,
                manifest_allowed=manifest_allowed,
            )
        except UploadRefused as exc:
            await _drain(request)
            raise ApiError(exc.status, exc.code, exc.message) from None
        try:
            async for chunk in request.stream():
                await run_in_threadpool(upload.write, chunk)
            return await run_in_threadpool(upload.finish)
        except UploadRefused as exc:
            await run_in_threadpool(upload.abort)
            await _drain(request)
            raise ApiError(exc.status, exc.code, exc.message) from None
        except BaseException:
            await run_in_threadpool(upload.abort)
            raise

    async def _drain(request: Request) -> None:
        seen = 0
        try:
            async for chunk in request.stream():
                seen += len(chunk)
                if seen > DRAIN_LIMIT:
                    return
        except Exception:  # noqa: BLE001 - already consumed or client gone
            return

    def request_fingerprint(request: Request, body_fingerprint: str) -> str:
        """What an Idempotency-Key is bound to: method, path and the body's SHA-256 digest (of
        what was sent, not its multipart framing). The same key for another folio, endpoint or
        content is a different request, never a replay of the first one's answer."""
        scope = f"{request.method} {request.url.path}\n{body_fingerprint}"
        return hashlib.sha256(scope.encode()).hexdigest()

    async def idempotent(request: Request, who: str, key: str | None, handler):
        """Run `handler()` once per (portal, Idempotency-Key); a retry of the same request (method,
        path, body) gets the first answer, another request with that key a 422."""
        ctx = request.app.state.ctx
        if key is None:
            return await handler()
        if not (1 <= len(key) <= 255):
            raise ApiError(422, "BAD_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 characters")
        previous = ctx["api"].begin_idempotent(who, key)
        if previous is not None:
            if previous["status_code"] is None:
                raise ApiError(409, "IN_PROGRESS", "a request with this Idempotency-Key is still being processed")
            staged = await receive(request, ctx)
            await run_in_threadpool(staged.abort)
            if request_fingerprint(request, staged.fingerprint) != previous["fingerprint"]:
                raise ApiError(
                    422,
                    "IDEMPOTENCY_MISMATCH",
                    "this Idempotency-Key was already used for a different "
                    "request (method, path or body); send a new key for a new request",
                )
            return JSONResponse(
                previous["response"], status_code=previous["status_code"], headers={"Idempotent-Replayed": "true"}
            )
        try:
            response, fingerprint = await handler(with_fingerprint=True)
        except BaseException:
            ctx["api"].abandon_idempotent(who, key)
            raise
        ctx["api"].finish_idempotent(
            who, key, request_fingerprint(request, fingerprint), response.status_code, response.body_json
        )
        return response

    class Json(JSONResponse):
        def __init__(self, content, status_code=200):
            super().__init__(content, status_code=status_code)
            self.body_json = content

    def accepted_files(staged) -> list[AcceptedFile]:
        return [AcceptedFile(f.name, f.size, f.sha256) for f in staged.files]

    def accepted(folio: str, number: int, staged) -> Json:
        body = Accepted(
            folio=folio, upload=number, files=[f.public() for f in staged.files], total_bytes=staged.total_bytes
        ).model_dump(mode="json")
        return Json(body, status_code=202)

    @app.post(
        "/folios",
        status_code=202,
        response_model=Accepted,
        responses=ERRORS,
        openapi_extra=UPLOAD_BODY,
        summary="Create a folio: folio.json and its files in one multipart request",
    )
    async def create_folio(
        request: Request,
        who: str = Depends(portal),
        idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    ):
        ctx = request.app.state.ctx

        async def handle(with_fingerprint=False):
            staged = await receive(request, ctx)
            try:
                if staged.manifest is None:
                    raise ApiError(422, "NO_MANIFEST", "the 'manifest' part (folio.json) is missing")
                try:
                    manifest = parse_manifest(staged.manifest)
                except InputError as exc:
                    raise ApiError(422, "INPUT", str(exc)) from None
                if not FOLIO_ID.match(manifest.folio):
                    raise ApiError(
                        422,
                        "INPUT",
                        f"folio.json: field 'folio': {manifest.folio!r} must be 1-64 letters, digits, '.', '_' or '-'",
                    )
                manifest_bytes = staged.manifest

                def place() -> None:  # under the folio's lock: the folio appears whole or not at all
                    ctx["storage"].blobs.put(manifest_bytes)  # folio.json is an original too
                    staged.commit()

                try:
                    created = await run_in_threadpool(
                        ctx["api"].claim_folio, manifest, who, accepted_files(staged), ctx["limits"], place
                    )
                except OverLimit as exc:
                    raise ApiError(413, exc.code, exc.message) from None
                if not created:
                    raise taken(manifest.folio)
            finally:
                await run_in_threadpool(staged.abort)  # what was not committed: refused or failed
            ctx["dispatcher"].submit(Job(manifest.folio, 1))
            response = accepted(manifest.folio, 1, staged)
            return (response, staged.fingerprint) if with_fingerprint else response

        return await idempotent(request, who, idempotency_key, handle)

    @app.post(
        "/folios/{folio}/files",
        status_code=202,
        response_model=Accepted,
        responses=ERRORS,
        openapi_extra=UPLOAD_BODY,
        summary="Add or replace files of an existing folio; it is evaluated again",
    )
    async def add_files(
        folio: str,
        request: Request,
        who: str = Depends(portal),
        idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    ):
        ctx = request.app.state.ctx
        owned(request, folio, who)

        async def handle(with_fingerprint=False):
            held = await run_in_threadpool(ctx["api"].accepted_files, folio)
            staged = await receive(request, ctx, held={f.name: f.size for f in held.values()}, manifest_allowed=False)
            try:
                if not staged.files:
                    raise ApiError(422, "NO_FILES", "no 'files' parts in the request")
                try:
                    number = await run_in_threadpool(
                        ctx["api"].add_files, folio, accepted_files(staged), ctx["limits"], staged.commit
                    )
                except OverLimit as exc:
                    raise ApiError(413, exc.code, exc.message) from None
            finally:
                await run_in_threadpool(staged.abort)  # what was not committed: refused or failed
            ctx["dispatcher"].submit(Job(folio, number))
            response = accepted(folio, number, staged)
            return (response, staged.fingerprint) if with_fingerprint else response

        return await idempotent(request, who, idempotency_key, handle)

    @app.get("/folios/{folio}", response_model=FolioStatus, responses=ERRORS, summary="Status and decision history")
    def folio_status(folio: str, request: Request, who: str = Depends(portal)):
        row = owned(request, folio, who)
        state = request.app.state.ctx["storage"].state
        history = state.history(folio)
        queue = state.queue_of(folio)
        claimed = next((e["claimed_by"] for e in state.queue(queue) if e["folio"] == folio), None) if queue else None
        return FolioStatus(
            folio=folio,
            status=history[-1].route.value if history else "received",
            queue=queue,
            claimed_by=claimed,
            flow_run=row["last_flow_run"],
            decisions=[d.model_dump(mode="json") for d in history],
        )

    def known_queue(name: str) -> str:
        if name not in QUEUES:
            raise ApiError(404, "UNKNOWN_QUEUE", f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
        return name

    @app.get(
        "/queues/{name}", response_model=list[QueueEntry], responses=ERRORS, summary="This portal's folios in a queue"
    )
    def list_queue(name: str, request: Request, who: str = Depends(portal)):
        ctx = request.app.state.ctx
        with ctx["storage"].state.engine.begin() as conn:
            mine = set(conn.execute(ctx["api"].portal_folios(who)).scalars())
        return [
            QueueEntry(
                folio=e["folio"], entered_at=e["entered_at"], claimed_by=e["claimed_by"], claim_type=e["claim_type"]
            )
            for e in ctx["storage"].state.queue(known_queue(name))
            if e["folio"] in mine
        ]

    @app.post(
        "/queues/{name}/claim",
        response_model=ClaimResult,
        responses=ERRORS,
        summary="Give the oldest unclaimed folio of the queue to an adjudicator",
    )
    def claim(name: str, body: ClaimRequest, request: Request, who: str = Depends(portal)):
        ctx = request.app.state.ctx
        folio = ctx["storage"].state.claim_next(known_queue(name), body.adjudicator, ctx["api"].portal_folios(who))
        return ClaimResult(folio=folio)

    @app.post(
        "/queues/{name}/release",
        response_model=ReleaseResult,
        responses=ERRORS,
        summary="Give a claimed folio back to its queue",
    )
    def release(name: str, body: ReleaseRequest, request: Request, who: str = Depends(portal)):
        ctx = request.app.state.ctx
        known_queue(name)
        owned(request, body.folio, who)
        if ctx["storage"].state.queue_of(body.folio) != name:
            raise ApiError(409, "NOT_IN_QUEUE", f"folio {body.folio!r} is not in queue {name!r}")
        if not ctx["storage"].state.release(body.folio, body.adjudicator):
            raise ApiError(409, "NOT_CLAIMED", f"folio {body.folio!r} is not claimed by {body.adjudicator!r}")
        return ReleaseResult(released=True)

    return app
