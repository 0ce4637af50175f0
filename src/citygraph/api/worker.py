"""A query worker process: opens the store, answers jobs from its pipe, one at a time.

Workers exist so that a query can really be stopped: pyoxigraph has no query timeout (oxigraph
issue 1926), so the parent kills a worker whose query runs past the deadline and starts a new
one. Each worker first moves itself into an empty network namespace when the kernel allows it
(``unshare``), so even a query that slipped past the SERVICE check could not reach the network.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from citygraph.api.formats import FORMATS, write
from citygraph.config import Settings
from citygraph.errors import CityGraphError
from citygraph.graph import CityGraph, _inject_values
from citygraph.namespaces import GRAPHS, PREFIXES
from citygraph.results import QueryResult

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_FORMATS = {f.key: f for f in FORMATS}
COPY_NICE = 10  # niceness of the thread copying the build into memory


@dataclass(frozen=True)
class Source:
    """Where a worker finds the graph: a finished on-disk build, or N-Quads (in-memory graphs)."""

    path: str | None = None
    nquads: bytes | None = None
    memory: bool = False  # after opening the on-disk build, copy it into memory in the background
    remote: object = None  # a citygraph.remote.Endpoint: ask that SPARQL server instead


@dataclass(frozen=True)
class Job:
    sparql: str
    substitutions: dict[str, object] | None = None  # variable name -> pyoxigraph term
    default_graphs: list[str] | None = None  # None (with named_graphs None): union of all graphs
    named_graphs: list[str] | None = None
    max_rows: int | None = None
    format: str | None = None  # a formats.Format key: reply with bytes; None: a QueryResult


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace; False when not permitted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWNET) == 0 or libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def open_source(source: Source) -> ox.Store:
    if source.remote is not None:
        from citygraph.remote import RemoteStore

        return RemoteStore(source.remote)  # type: ignore[return-value]
    if source.path is not None:
        return ox.Store.read_only(source.path)
    store = ox.Store()
    if source.nquads:
        store.load(source.nquads, format=ox.RdfFormat.N_QUADS)
    return store


def copy_into_memory(disk: ox.Store) -> ox.Store:
    """An in-memory copy of ``disk``, blank nodes included (N-Quads would rename them).

    The quads pass through a generator, so the interpreter can hand the GIL to the worker's
    main thread between quads: it keeps answering from ``disk`` while this runs in a thread.
    """
    store = ox.Store()
    store.bulk_extend(quad for quad in disk.quads_for_pattern(None, None, None, None))
    return store


def serve(conn: Connection, source: Source, events: int | None = None) -> None:
    """Report ``ready`` (or ``failed``), then answer jobs until the parent closes the pipe.

    An on-disk build is opened read-only and answered from at once; with ``source.memory`` a
    thread copies it into memory meanwhile and later jobs run on the copy (scans and
    aggregates are several times faster there); then ``m`` is written to ``events``.
    """
    isolated = isolate_network() if source.remote is None else False  # a remote store needs the network
    try:
        store = open_source(source)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", {"pid": os.getpid(), "network_isolated": isolated}))
    current = [store]  # the thread below swaps in the copy: one assignment, between jobs or during one
    if source.memory and source.path is not None:
        def copy() -> None:
            try:  # a low priority for this thread: queries and the server's start-up come first
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), COPY_NICE)
            except (OSError, AttributeError):
                pass
            try:
                current[0] = copy_into_memory(store)
            except Exception as exc:  # noqa: BLE001 - the worker keeps answering from disk
                print(f"citygraph worker {os.getpid()}: cannot copy the store into memory "
                      f"({type(exc).__name__}: {exc}); answering from disk", file=sys.stderr)
                return
            if events is not None:
                try:
                    os.write(events, b"m")
                except OSError:
                    pass  # the server is gone

        threading.Thread(target=copy, name="citygraph-copy", daemon=True).start()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run(current[0], job)
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the worker silently
            reply = ("error", "internal", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def build(conn: Connection, settings: Settings) -> None:
    """Bring the on-disk build up to date (a reload); reply with its path or the reason."""
    isolate_network()
    try:
        graph = CityGraph.open(settings, notify=None)
        conn.send(("ok", str(graph.location)))
    except CityGraphError as exc:
        conn.send(("error", str(exc), exc.exit_code))
    except Exception as exc:  # noqa: BLE001 - reported; the server keeps the old graph
        conn.send(("error", f"{type(exc).__name__}: {exc}", 2))


def update(conn: Connection, args: tuple[Source, str, str | None]) -> None:
    """Copy the graph into a new store (``target`` directory, or memory), apply a SPARQL
    Update to the copy; reply ``("ok", counts, nquads-or-None)`` or ``("error", kind, message)``."""
    source, sparql, target = args
    isolate_network()
    try:
        original = open_source(source)
        store = ox.Store(target) if target else ox.Store()
        store.bulk_extend(original.quads_for_pattern(None, None, None, None))
        del original
        store.update(sparql, prefixes=PREFIXES)
        counts = {name: sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
                  for name, iri in GRAPHS.items()}
        if target:
            store.flush()
            del store
            conn.send(("ok", counts, None))
        else:
            conn.send(("ok", counts, store.dump(format=ox.RdfFormat.N_QUADS) or b""))
    except SyntaxError as exc:
        conn.send(("error", "syntax", str(exc)))
    except (RuntimeError, ValueError, OSError) as exc:
        conn.send(("error", "query", str(exc)))


def main(argv: list[str]) -> None:
    """``python -m citygraph.api.worker FD [EVENTS]``: the first message on FD says what to do;
    a serving worker reports events on EVENTS."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    conn = Connection(int(argv[1]))
    events = int(argv[2]) if len(argv) > 2 else None
    try:
        task, arg = conn.recv()
    except (EOFError, OSError):
        return
    if task == "serve":
        serve(conn, arg, events)
    elif task == "build":
        build(conn, arg)
    elif task == "update":
        update(conn, arg)


def run(store: ox.Store, job: Job) -> tuple:
    """One job -> ``("result", QueryResult, truncated)``, ``("body", content_type, bytes,
    truncated, count)`` or ``("error", "syntax" | "query", message)``."""
    kwargs: dict[str, object] = {"prefixes": PREFIXES}
    if job.default_graphs is None and job.named_graphs is None:
        kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or []]
    subs = job.substitutions or {}
    try:
        try:
            raw = store.query(job.sparql, substitutions={ox.Variable(k): v for k, v in subs.items()} or None,
                              **kwargs)
        except RuntimeError as exc:
            if not subs or "projection" not in str(exc):
                raise
            # pyoxigraph substitutes projected variables only (oxigraph #1837): bind by VALUES
            raw = store.query(_inject_values(job.sparql, subs), **kwargs)
        result, truncated = materialise(raw, job.max_rows)
    except SyntaxError as exc:
        return ("error", "syntax", str(exc))
    except (RuntimeError, ValueError, OSError) as exc:
        return ("error", "query", str(exc))
    if job.format is None:
        return ("result", result, truncated)
    fmt = _FORMATS[job.format]
    count = len(result.triples) if result.kind == "graph" else len(result.rows)
    return ("body", fmt.content_type, write(result, fmt, truncated), truncated, count)


def materialise(raw: object, max_rows: int | None) -> tuple[QueryResult, bool]:
    """Read at most ``max_rows`` rows (or triples); the second value says whether more existed."""
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw)), False
    truncated = False
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = []
        for solution in raw:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append(tuple(solution[v] for v in variables))
        return QueryResult("select", variables=variables, rows=rows), truncated
    triples = []
    for triple in raw:  # type: ignore[attr-defined]
        if max_rows is not None and len(triples) >= max_rows:
            truncated = True
            break
        triples.append(triple)
    return QueryResult("graph", variables=["subject", "predicate", "object"], triples=triples), truncated


if __name__ == "__main__":
    main(sys.argv)
