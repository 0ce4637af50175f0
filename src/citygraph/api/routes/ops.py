"""Operations: ``/healthz`` for monitors, ``POST /admin/reload`` (bearer token) to reload data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from citygraph import __version__
from citygraph.api.executor import GraphHolder, ReloadBusy, ReloadError
from citygraph.api.routes.sparql import check_token

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Health and build information")
def healthz(request: Request) -> dict:
    """``status`` ok, the build's fingerprint and time, triples per layer, uptime, workers."""
    holder: GraphHolder = request.app.state.holder
    manifest = holder.graph.manifest
    counts = manifest.get("triples", {})
    pool = holder.pool
    return {
        "status": "ok" if pool.alive > 0 else "degraded",
        "version": __version__,
        "fingerprint": manifest.get("fingerprint"),
        "built": manifest.get("built"),
        "loaded": holder.loaded,
        "triples": {**counts, "total": sum(counts.values())},
        "uptime_seconds": round(holder.uptime, 1),
        "workers": {"configured": pool.size, "alive": pool.alive,
                    "network_isolated": pool.network_isolated},
        "last_reload": holder.last_reload,
    }


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
