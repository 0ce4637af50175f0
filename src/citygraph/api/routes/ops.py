"""Operations: ``/healthz`` for monitors, ``POST /admin/reload`` (bearer token) to reload data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from citygraph.api.executor import GraphHolder, ReloadBusy, ReloadError
from citygraph.api.routes.sparql import check_token

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Health and build information")
def healthz(request: Request) -> dict:
    """Answered from the moment the server listens, before the query workers are up.

    ``status``: ``starting`` (no query worker ready yet; queries wait for one), ``ok`` (at
    least one ready) or ``degraded`` (none could start; ``workers.error`` says why); ``ready``:
    whether a query can be answered now. Also the build's fingerprint and time, triples per
    layer, uptime and the workers (configured, alive, starting, network isolation, memory copy).
    """
    holder: GraphHolder = request.app.state.holder
    return holder.health()


@router.post("/admin/reload", summary="Rebuild from the data files and swap the graph in",
             include_in_schema=False)
async def reload(request: Request) -> Response:
    """200 ``reloaded`` or ``unchanged``; 422 when the data is invalid (the old graph keeps
    serving; ``error`` says why); 409 while another reload runs; 401/403 without the token."""
    refused = check_token(request)
    if refused is not None:
        return refused
    holder: GraphHolder = request.app.state.holder
    try:
        result = await holder.reload()
    except ReloadBusy as exc:
        return JSONResponse({"status": "busy", "error": str(exc)}, status_code=409)
    except ReloadError as exc:
        status = 422 if exc.exit_code == 1 else 500
        return JSONResponse({"status": "failed", "error": str(exc)}, status_code=status)
    return JSONResponse(result)
