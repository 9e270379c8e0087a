"""HTTP intake API for upstream portals (FastAPI, served by uvicorn): `api.app:create_app`."""
