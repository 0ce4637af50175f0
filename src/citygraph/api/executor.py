"""Running queries for the web app: worker processes that can be killed, and the graph holder.

:class:`GraphHolder` (``app.state.holder``) owns the current :class:`CityGraph` and a
:class:`WorkerPool`. ``await holder.run(sparql)`` sends the query to an idle worker process and
waits in a thread, so the event loop never blocks; a query still running at its deadline is
killed with its worker, a fresh worker takes its place, and the caller gets
:class:`QueryTimeout` (HTTP 503). Reloading builds the new graph in a child process, starts
workers on it, then swaps graph and pool in one assignment: a request sees the old or the new
graph, never a mix. The old pool finishes the queries it is running before it stops.

Workers start in parallel threads. Each opens the build on disk and reports ready in well
under a second; with ``Source.memory`` it then copies the build into memory in a low-priority
thread and answers from the copy once made (it says so on an event pipe: ``pool.in_memory``).
``citygraph serve`` starts its pool without waiting (``GraphHolder(wait=False, start=False)``,
started once the server listens); a request that finds no worker ready yet waits for one (up
to :data:`STARTUP_WAIT`) before its own timeout starts.

Workers read a *snapshot* of the build: a directory of hard links to the build's files (RocksDB
files never change once a build is published), so ``citygraph build`` elsewhere may delete the
build directory while the server keeps reading; the snapshot goes when its last worker stops.
"""

from __future__ import annotations

import asyncio
import logging
import atexit
import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from citygraph import __version__, store as stores
from citygraph.api.worker import Job, Source
from citygraph.config import Settings
from citygraph.errors import CityGraphError, QueryError, StoreError
from citygraph.graph import CityGraph
from citygraph.queries import term_from_string
from citygraph.results import QueryResult

log = logging.getLogger("citygraph.server")

SNAPSHOT_PREFIX = "serve-"
READY_TIMEOUT = 600.0  # seconds a new worker may take to open its store
STARTUP_WAIT = 60.0  # seconds a request waits for the first worker at start-up (then its own timeout)
# CITYGRAPH_SPARQL_MEMORY=auto: workers copy builds of at most this many quads into memory ...
MEMORY_AUTO_QUADS = 4_000_000
# ... when the copies (about this many bytes a quad, each worker, while copying) fit in half
# of the memory available
MEMORY_BYTES_PER_QUAD = 650


class QueryTimeout(CityGraphError):
    """A query ran past the timeout; its worker was killed (HTTP 503)."""


class ServiceBusy(CityGraphError):
    """Every worker stayed busy until the request's deadline (HTTP 503)."""


class WorkerFailure(CityGraphError):
    """A worker process died while answering (out of memory?); it was replaced (HTTP 503)."""


class PoolClosed(Exception):
    """The pool was replaced by a reload while a request waited for it: retry on the new one."""


class ReloadError(CityGraphError):
    """A reload failed; the old graph keeps serving. ``exit_code`` 1 when the data is invalid."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ReloadBusy(CityGraphError):
    """Another reload is running (HTTP 409)."""


def _spawn(message: tuple, events: socket.socket | None = None) -> tuple[subprocess.Popen, Connection]:
    """``python -m citygraph.api.worker FD [EVENTS]`` with one end of a socket pair; send it
    ``message``. ``events``: the worker's end of a second pair on which it reports events
    (``m``: now answering from its memory copy); closed here once passed on.

    A fresh interpreter, not ``multiprocessing``: nothing of the (threaded) web process is
    inherited and the caller's ``__main__`` is never re-imported.
    """
    ours, theirs = socket.socketpair()
    fds = [theirs.fileno()] + ([events.fileno()] if events is not None else [])
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "citygraph.api.worker", *map(str, fds)],
            pass_fds=fds, stdin=subprocess.DEVNULL, close_fds=True)
    except OSError as exc:
        ours.close()
        raise StoreError(f"cannot start a worker process ({exc})") from exc
    finally:
        theirs.close()
        if events is not None:
            events.close()
    conn = Connection(ours.detach())
    try:
        conn.send(message)
    except OSError:
        pass  # it died at once; the caller reads EOF and reports
    return process, conn


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen
    conn: Connection
    info: dict
    events: socket.socket | None = None  # non-blocking; the worker writes b"m" when in memory

    @property
    def in_memory(self) -> bool:
        """Whether the worker answers from its memory copy of the build by now."""
        if not self.info.get("in_memory") and self.events is not None:
            try:
                if self.events.recv(1) == b"m":
                    self.info["in_memory"] = True
            except OSError:  # nothing yet (BlockingIOError), or closed
                pass
        return bool(self.info.get("in_memory"))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()
        if self.events is not None:
            self.events.close()


def _start_worker(source: Source, registry: set | None = None,
                  lock: threading.Lock | None = None) -> _Worker:
    """Spawn a worker and wait for its ``ready``; it is in ``registry`` (under ``lock``) from
    the spawn on, so a shutdown meanwhile kills it too, and leaves it again if it fails."""
    events, theirs = socket.socketpair()
    events.setblocking(False)
    try:
        process, conn = _spawn(("serve", source), events=theirs)
    except BaseException:
        events.close()
        raise
    w = _Worker(process, conn, {}, events)
    if registry is not None and lock is not None:
        with lock:
            registry.add(w)
    try:
        if not conn.poll(READY_TIMEOUT):
            raise StoreError(f"a query worker did not open the store within {READY_TIMEOUT:.0f} s")
        status, payload = conn.recv()
        if status != "ready":
            raise StoreError(f"a query worker cannot open the store: {payload}")
    except (EOFError, OSError) as exc:
        _forget(w, registry, lock)
        raise StoreError(f"a query worker died while opening the store ({exc or 'no reply'})") from None
    except StoreError:
        _forget(w, registry, lock)
        raise
    w.info = payload
    return w


def _forget(w: _Worker, registry: set | None, lock: threading.Lock | None) -> None:
    w.kill()
    if registry is not None and lock is not None:
        with lock:
            registry.discard(w)


_POOLS: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _kill_workers() -> None:
    for pool in list(_POOLS):
        pool.kill_all()


class WorkerPool:
    """``size`` worker processes over one :class:`Source`; blocking methods, call from threads.

    The workers start in parallel threads. ``wait=True`` (the default) returns once all are
    ready and raises :class:`StoreError` if one cannot start; ``wait=False`` returns at once
    (``citygraph serve`` answers ``/healthz`` meanwhile): a request waits for the first ready
    worker until its own deadline, and fails at once only when every worker failed to start.
    """

    def __init__(self, source: Source, size: int, wait: bool = True, start: bool = True) -> None:
        self.source = source
        self.size = size
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self._on_closed: Callable[[], None] | None = None
        self._all: set[_Worker] = set()
        self._alive = 0  # started and not retired (a worker being replaced still counts)
        self._starting = size  # first starts not finished yet
        self._isolated: list[bool] = []
        self.error: str | None = None  # why the last worker start failed
        self._started = False
        _POOLS.add(self)
        if start or wait:
            self.start()
        if wait:
            self.wait_ready(READY_TIMEOUT + 5)
            if self.error is not None or self._alive < size:
                error = self.error or "the query workers did not start in time"
                self.kill_all()
                raise StoreError(error)

    def start(self) -> None:
        """Start the workers (in threads), once; ``start=False`` left it to the caller
        (``citygraph serve`` starts them once it listens)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            threading.Thread(target=self._start_one, name="citygraph-worker-start", daemon=True).start()

    def _start_one(self) -> None:
        try:
            w = _start_worker(self.source, self._all, self._lock)
        except CityGraphError as exc:
            if not self._closed:
                log.error("a query worker did not start: %s", exc)
            with self._lock:
                self._starting -= 1
                self.error = str(exc)
                self._changed.notify_all()
                callback = self._take_callback_if_done()
            if callback:
                callback()
            return
        with self._lock:
            self._starting -= 1
            self._alive += 1
            self._isolated.append(bool(w.info.get("network_isolated")))
            self._changed.notify_all()
        self._release(w)

    def _take_callback_if_done(self) -> Callable[[], None] | None:
        """(Under the lock) the ``on_closed`` callback once a closed pool has no worker left."""
        if self._closed and self._alive == 0 and self._starting == 0:
            callback, self._on_closed = self._on_closed, None
            return callback
        return None

    def wait_ready(self, timeout: float | None = None, count: int | None = None) -> int:
        """Block until ``count`` workers (default: all) are ready or no start is pending, or
        ``timeout``; the number of ready workers."""
        want = self.size if count is None else count
        with self._changed:
            self._changed.wait_for(lambda: self._alive >= want or self._starting == 0 or self._closed,
                                   timeout)
            return self._alive

    @property
    def alive(self) -> int:
        return self._alive

    @property
    def starting(self) -> int:
        """Workers whose first start has not finished (opening the store)."""
        return self._starting

    @property
    def in_memory(self) -> int:
        """Workers answering from their memory copy of the build by now."""
        with self._lock:
            workers = list(self._all)
        return sum(1 for w in workers if w.info and w.in_memory)

    @property
    def network_isolated(self) -> bool | None:
        """Whether every started worker is in an empty network namespace (None: none started yet)."""
        with self._lock:
            return all(self._isolated) if self._isolated else None

    def execute(self, job: Job, deadline: float) -> tuple:
        """Run ``job`` on an idle worker; the worker's reply, or raise at ``deadline``."""
        w = self._acquire(deadline)
        try:
            w.conn.send(job)
            if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(w)
                raise QueryTimeout("the query ran past the time limit and was stopped")
            reply = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._replace(w)
            raise WorkerFailure(f"the query worker stopped while answering ({exc or 'no reply'}); "
                                "the query may need too much memory") from None
        self._release(w)
        return reply

    def _acquire(self, deadline: float) -> _Worker:
        """An idle worker; :class:`PoolClosed` once the pool was swapped out (the caller
        retries on the current pool), :class:`ServiceBusy` at the deadline."""
        while True:
            if self._closed:
                raise PoolClosed()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if self._alive == 0 and self._starting > 0:
                    raise ServiceBusy("the query workers are still opening the store; try again "
                                      "in a moment")
                raise ServiceBusy(f"all {self.size} query workers stayed busy until the timeout; "
                                  "try again later")
            if self._alive == 0 and self._starting == 0:
                raise WorkerFailure(f"no query worker could start ({self.error or 'unknown reason'})")
            try:
                return self._idle.get(timeout=min(0.1, remaining))
            except queue.Empty:
                continue

    async def execute_async(self, job: Job, deadline: float, threads: ThreadPoolExecutor) -> tuple:
        """:meth:`execute` for the event loop: waits for the reply with ``add_reader`` (no
        thread per request); only waiting for a busy pool goes to a thread."""
        loop = asyncio.get_running_loop()
        if self._closed:
            raise PoolClosed()
        try:
            w = self._idle.get_nowait()
        except queue.Empty:
            w = await loop.run_in_executor(threads, self._acquire, deadline)
        try:
            w.conn.send(job)
            ready = loop.create_future()
            fd = w.conn.fileno()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            timed_out, cancelled = False, None
            try:
                await asyncio.wait_for(ready, max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                timed_out = True
            except asyncio.CancelledError as exc:
                cancelled = exc  # nobody waits for the answer: stop the work
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop's add_reader made it non-blocking
            if timed_out or cancelled is not None:
                self._replace(w)
                if cancelled is not None:
                    raise cancelled
                raise QueryTimeout("the query ran past the time limit and was stopped")
            reply = w.conn.recv()  # the worker is writing it: at most the rest of one message
        except (EOFError, OSError) as exc:
            self._replace(w)
            raise WorkerFailure(f"the query worker stopped while answering ({exc or 'no reply'}); "
                                "the query may need too much memory") from None
        self._release(w)
        return reply

    def _release(self, w: _Worker) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            self._retire(w)
        else:
            self._idle.put(w)

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)
            self._alive -= 1
            self._changed.notify_all()
            callback = self._take_callback_if_done()
        if callback:
            callback()

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` now; start its successor in the background."""
        w.kill()
        with self._lock:
            self._all.discard(w)

        def successor() -> None:
            with self._lock:
                closed = self._closed
            try:
                if closed:
                    raise StoreError("pool closed")
                fresh = _start_worker(self.source, self._all, self._lock)
            except CityGraphError as exc:
                if not closed:
                    log.error("cannot replace a query worker: %s", exc)
                with self._lock:
                    self._alive -= 1
                    if not closed:
                        self.error = str(exc)
                    self._changed.notify_all()
                    callback = self._take_callback_if_done()
                if callback:
                    callback()
                return
            self._release(fresh)

        threading.Thread(target=successor, name="citygraph-worker-restart", daemon=True).start()

    def close(self, on_closed: Callable[[], None] | None = None) -> None:
        """Stop idle workers now and busy ones when they finish; then call ``on_closed``."""
        with self._lock:
            self._closed = True
            self._on_closed = on_closed
            if not self._started:
                self._starting = 0
            self._changed.notify_all()
            callback = self._take_callback_if_done()
        if callback:
            callback()
            return
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(w)

    def kill_all(self) -> None:
        """Close and kill every worker, busy or not (shutdown)."""
        self.close()
        with self._lock:
            workers = list(self._all)
        for w in workers:
            w.kill()


# ---------------------------------------------------------------------------------- snapshots
def snapshot(build: Path, store_dir: Path) -> Path:
    """Hard-link the files of a published build into ``store_dir/serve-<pid>-<random>``."""
    _remove_stale_snapshots(store_dir)
    target = store_dir / f"{SNAPSHOT_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)  # another file system, or no hard links: copy

    try:
        shutil.copytree(build, target, copy_function=link)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"cannot snapshot the build {build} for serving: {exc}") from exc
    return target


def _remove_stale_snapshots(store_dir: Path) -> None:
    for entry in store_dir.glob(SNAPSHOT_PREFIX + "*"):
        try:
            pid = int(entry.name[len(SNAPSHOT_PREFIX):].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)  # its server is gone
        except (ValueError, PermissionError):
            continue


def build_in_child(settings: Settings) -> Path:
    """``CityGraph.open(settings)`` in a child process (parsing and deriving never stall the
    server); the path of the current build, or :class:`ReloadError` with the reason."""
    process, conn = _spawn(("build", settings))
    try:
        reply = conn.recv()
    except (EOFError, OSError):
        raise ReloadError("the build process died; the old graph keeps serving") from None
    finally:
        conn.close()
        process.wait()
    if reply[0] != "ok":
        raise ReloadError(reply[1], reply[2])
    return Path(reply[1])


# ---------------------------------------------------------------------------------- holder
def fits_in_memory(quads: int, workers: int) -> bool:
    """``CITYGRAPH_SPARQL_MEMORY=auto``: copy a build of ``quads`` into each of ``workers``
    when it has at most :data:`MEMORY_AUTO_QUADS` and the copies fit in half the available
    memory (``MemAvailable``; without /proc/meminfo the quad limit alone decides)."""
    if quads > MEMORY_AUTO_QUADS:
        return False
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            available = next(int(line.split()[1]) * 1024 for line in meminfo
                             if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return True
    return quads * MEMORY_BYTES_PER_QUAD * max(1, workers) <= available / 2


@dataclass(frozen=True)
class _State:
    graph: CityGraph
    pool: WorkerPool
    snapshot: Path | None
    loaded: str  # ISO time
    graphs: frozenset[str]  # IRIs of the named graphs the store holds


class GraphHolder:
    """The current graph and its workers; ``app.state.holder``.

    ``holder.graph`` is the current :class:`CityGraph` (cheap library calls such as
    ``describe``/``resolve``/``label`` may use it directly from sync handlers);
    ``await holder.run(sparql, ...)`` runs SPARQL in a worker with a real timeout.
    """

    def __init__(self, graph: CityGraph, settings: Settings, workers: int | None = None,
                 wait: bool = True, start: bool = True) -> None:
        """Snapshot ``graph`` and start the workers; ``wait=False`` returns before they are
        ready (``citygraph serve``: ``/healthz`` answers meanwhile and queries wait for them),
        ``start=False`` leaves starting them to :meth:`start_workers`."""
        self.settings = settings
        self.workers = workers or settings.sparql_workers
        self.started = time.monotonic()
        self.last_reload: dict | None = None
        self._reload_lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=max(8, 4 * self.workers),
                                           thread_name_prefix="citygraph-wait")
        self._state = self._prepare(graph, wait=wait, start=start)

    # ------------------------------------------------------------------ state
    def _prepare(self, graph: CityGraph, wait: bool = True, start: bool = True) -> _State:
        """Snapshot ``graph`` and start workers on it; ``wait``: until every worker is ready
        (a reload or update swaps in a ready pool), else in the background (start-up)."""
        snap = None
        if graph.remote:  # the workers ask the SPARQL server; killing one closes its connection
            pool = WorkerPool(Source(remote=graph.store.endpoint), self.workers, wait, start)
        elif graph.location is not None:
            snap = snapshot(graph.location, self.settings.store_dir)
            try:
                graph = CityGraph(stores.open_read_only(snap), graph.settings, graph.manifest, snap)
                source = Source(path=str(snap / stores.OXIGRAPH_DIR), memory=self.in_memory(graph))
                pool = WorkerPool(source, self.workers, wait, start)
            except BaseException:
                shutil.rmtree(snap, ignore_errors=True)
                raise
        else:
            source = Source(nquads=graph.store.dump(format=ox.RdfFormat.N_QUADS) or b"")
            pool = WorkerPool(source, self.workers, wait, start)
        held = frozenset(g.value for g in graph.store.named_graphs() if isinstance(g, ox.NamedNode))
        return _State(graph, pool, snap, datetime.now(timezone.utc).isoformat(timespec="seconds"), held)

    def in_memory(self, graph: CityGraph) -> bool:
        """Whether workers copy ``graph``'s on-disk build into memory (after opening it on disk):
        CITYGRAPH_SPARQL_MEMORY true/false, or ``auto`` (the default) by the build's size."""
        if self.settings.sparql_memory is not None:
            return self.settings.sparql_memory
        quads = sum(v for v in graph.manifest.get("triples", {}).values() if isinstance(v, int))
        return fits_in_memory(quads, self.workers)

    def start_workers(self) -> None:
        """Start the current pool's workers if ``start=False`` deferred them."""
        self._state.pool.start()

    @property
    def graph(self) -> CityGraph:
        return self._state.graph

    @property
    def pool(self) -> WorkerPool:
        return self._state.pool

    @property
    def held_graphs(self) -> frozenset[str]:
        """IRIs of the named graphs (layers) the current store holds."""
        return self._state.graphs

    @property
    def loaded(self) -> str:
        return self._state.loaded

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started

    def health(self) -> dict:
        """What ``/healthz`` answers (from the moment the server listens)."""
        state = self._state
        manifest = state.graph.manifest
        counts = manifest.get("triples", {})
        pool = state.pool
        alive, starting = pool.alive, pool.starting
        status = "ok" if alive > 0 else "starting" if starting > 0 else "degraded"
        workers = {"configured": pool.size, "alive": alive, "starting": starting,
                   "network_isolated": pool.network_isolated, "memory": bool(pool.source.memory),
                   "in_memory": pool.in_memory}
        if pool.error and status != "ok":
            workers["error"] = pool.error
        return {
            "status": status,
            "ready": alive > 0,
            "version": __version__,
            "fingerprint": manifest.get("fingerprint"),
            "built": manifest.get("built"),
            "loaded": state.loaded,
            "triples": {**counts, "total": sum(counts.values())},
            "uptime_seconds": round(self.uptime, 1),
            "workers": workers,
            "last_reload": self.last_reload,
        }

    # ------------------------------------------------------------------ queries
    def job(self, sparql: str, params: Mapping[str, object] | None = None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            max_rows: int | None = None, format: str | None = None) -> Job:
        subs = {name: value if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode)
                else term_from_string(str(value)) for name, value in (params or {}).items()}
        return Job(sparql, subs or None, default_graphs, named_graphs,
                   self.settings.sparql_max_rows if max_rows is None else max_rows, format)

    async def execute(self, job: Job, timeout: float | None = None) -> tuple:
        """The worker's raw reply to ``job`` (used by /sparql for pre-serialised bodies)."""
        pool = self._state.pool
        if pool.alive == 0 and pool.starting > 0:  # start-up: wait for a worker, not on the clock
            await asyncio.get_running_loop().run_in_executor(self._threads, pool.wait_ready,
                                                             STARTUP_WAIT, 1)
        deadline = time.monotonic() + (self.settings.sparql_timeout if timeout is None else timeout)
        while True:
            try:
                reply = await self._state.pool.execute_async(job, deadline, self._threads)
                break
            except PoolClosed:
                continue  # a reload swapped the pool while we waited: use the new one
        if reply[0] == "error":
            _, kind, message = reply
            if kind == "syntax":
                raise QueryError(f"invalid SPARQL: {message}")
            if kind == "query":
                raise QueryError(f"query failed: {message}")
            raise CityGraphError(f"internal error in the query worker: {message}")
        return reply

    async def run(self, sparql: str, params: Mapping[str, object] | None = None,
                  timeout: float | None = None, default_graphs: list[str] | None = None,
                  named_graphs: list[str] | None = None, max_rows: int | None = None) -> QueryResult:
        """Run SPARQL (project prefixes predeclared, default graph = union of all layers unless
        ``default_graphs``/``named_graphs`` say otherwise) in a worker process.

        Raises :class:`QueryError` (bad query, HTTP 400), :class:`QueryTimeout` or
        :class:`ServiceBusy` (HTTP 503). At most ``max_rows`` rows (default: the setting); the
        result's extra attribute ``truncated`` says whether rows were left out.
        """
        reply = await self.execute(self.job(sparql, params, default_graphs, named_graphs, max_rows),
                                   timeout)
        _, result, truncated = reply
        result.truncated = truncated
        return result

    def run_sync(self, sparql: str, params: Mapping[str, object] | None = None,
                 timeout: float | None = None, default_graphs: list[str] | None = None,
                 named_graphs: list[str] | None = None, max_rows: int | None = None) -> QueryResult:
        """:meth:`run` for sync (``def``) handlers, which FastAPI runs in a thread."""
        pool = self._state.pool
        if pool.alive == 0 and pool.starting > 0:
            pool.wait_ready(STARTUP_WAIT, 1)
        deadline = time.monotonic() + (self.settings.sparql_timeout if timeout is None else timeout)
        job = self.job(sparql, params, default_graphs, named_graphs, max_rows)
        while True:
            try:
                reply = self._state.pool.execute(job, deadline)
                break
            except PoolClosed:
                continue
        if reply[0] == "error":
            prefix = {"syntax": "invalid SPARQL", "query": "query failed"}.get(reply[1])
            if prefix is None:
                raise CityGraphError(f"internal error in the query worker: {reply[2]}")
            raise QueryError(f"{prefix}: {reply[2]}")
        _, result, truncated = reply
        result.truncated = truncated
        return result

    # ------------------------------------------------------------------ reload
    async def reload(self) -> dict:
        """Rebuild from the files and swap the new graph in; :class:`ReloadError` keeps the old."""
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadBusy("a reload is already running; wait for it to finish")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._threads, self._reload)
        finally:
            self._reload_lock.release()

    def _reload(self) -> dict:
        old = self._state
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            if old.graph.remote:  # rebuild locally and upload when the files changed
                graph = CityGraph.open(self.settings, notify=None)
                if graph.manifest.get("fingerprint") == old.graph.manifest.get("fingerprint"):
                    self.last_reload = {"status": "unchanged", "at": at}
                    return {**self.last_reload, "fingerprint": old.graph.manifest.get("fingerprint")}
            elif old.graph.location is None:  # an in-memory graph (tests): rebuild in memory
                graph = CityGraph.build(self.settings, memory=True, notify=None)
            else:
                location = build_in_child(self.settings)
                if stores.read_manifest(location).get("fingerprint") == old.graph.manifest.get("fingerprint"):
                    self.last_reload = {"status": "unchanged", "at": at}
                    return {**self.last_reload, "fingerprint": old.graph.manifest.get("fingerprint")}
                graph = CityGraph(stores.open_read_only(location), self.settings,
                                  stores.read_manifest(location), location)
            new = self._prepare(graph)
        except CityGraphError as exc:
            code = getattr(exc, "exit_code", 2)
            self.last_reload = {"status": "failed", "at": at, "error": str(exc)}
            log.error("reload failed, the old graph keeps serving: %s", exc)
            raise ReloadError(f"{exc}; the old graph keeps serving", code) from exc
        self._state = new  # the swap: one assignment
        snap = old.snapshot
        old.pool.close(on_closed=(lambda: shutil.rmtree(snap, ignore_errors=True)) if snap else None)
        self.last_reload = {"status": "reloaded", "at": at}
        return {**self.last_reload, "fingerprint": new.graph.manifest.get("fingerprint"),
                "triples": new.graph.manifest.get("triples")}

    # ------------------------------------------------------------------ update
    async def update(self, sparql: str, timeout: float | None = None) -> dict:
        """Apply a SPARQL Update to a copy of the current graph (in a child process) and swap
        the copy in. Lasts until the next reload: the Turtle files stay the source of truth."""
        if not self._reload_lock.acquire(blocking=False):
            raise ReloadBusy("a reload or update is already running; wait for it to finish")
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._threads, self._update, sparql,
                self.settings.sparql_timeout if timeout is None else timeout)
        finally:
            self._reload_lock.release()

    def _update(self, sparql: str, timeout: float) -> dict:
        old = self._state
        if old.graph.remote:
            raise QueryError("SPARQL Update through citygraph is not available with a remote store "
                             "(CITYGRAPH_STORE); the data files are the source of truth: edit them "
                             "and reload, or update the SPARQL server directly")
        target = None
        if old.snapshot is None:
            source = Source(nquads=old.graph.store.dump(format=ox.RdfFormat.N_QUADS) or b"")
        else:
            source = Source(path=str(old.snapshot / stores.OXIGRAPH_DIR))
            target = self.settings.store_dir / f"{SNAPSHOT_PREFIX}{os.getpid()}-update-{secrets.token_hex(4)}"
            target.mkdir(parents=True)
        process, conn = _spawn(("update", (source, sparql, str(target / stores.OXIGRAPH_DIR) if target else None)))
        try:
            if not conn.poll(timeout):
                raise QueryTimeout("the update ran past the time limit and was stopped; nothing changed")
            reply = conn.recv()
        except (EOFError, OSError):
            reply = ("error", "internal", "the update process died; nothing changed")
        except QueryTimeout:
            if target is not None:
                shutil.rmtree(target, ignore_errors=True)
            raise
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            conn.close()
        if reply[0] != "ok":
            if target is not None:
                shutil.rmtree(target, ignore_errors=True)
            prefix = {"syntax": "invalid SPARQL Update", "query": "update failed"}.get(reply[1], "error")
            raise QueryError(f"{prefix}: {reply[2]}")
        _, counts, nquads = reply
        manifest = {**old.graph.manifest, "triples": counts,
                    "updated": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        try:
            if target is None:
                store = ox.Store()
                if nquads:
                    store.load(nquads, format=ox.RdfFormat.N_QUADS)
                graph = CityGraph(store, self.settings, manifest)
            else:
                (target / stores.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
                graph = CityGraph(stores.open_read_only(target), self.settings, manifest, target)
            new = self._prepare(graph)
        finally:
            if target is not None:
                shutil.rmtree(target, ignore_errors=True)  # the snapshot holds its own links
        self._state = new
        snap = old.snapshot
        old.pool.close(on_closed=(lambda: shutil.rmtree(snap, ignore_errors=True)) if snap else None)
        return {"status": "updated", "triples": sum(counts.values())}

    # ------------------------------------------------------------------ shutdown
    def close(self) -> None:
        state = self._state
        state.pool.kill_all()
        if state.snapshot is not None:
            shutil.rmtree(state.snapshot, ignore_errors=True)
        self._threads.shutdown(wait=False, cancel_futures=True)
