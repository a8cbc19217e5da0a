"""The lab's one process pool: where jobs run -- here, in N local processes, or on a Dask cluster.

Sweeps (`gan.lab.sweep`), the comparison (`gan.lab.comparison.harness`) and the trainings on
images (`gan.digits.parallel`) start their worker processes here and nowhere else. A job's result
depends on nothing but the job (each training draws only from its own seeds, with BLAS on one
thread), so any process on any machine computes it bitwise alike.
`run_chunks(chunks, runner, ...)` returns ``[runner(chunk, report) for chunk in chunks]``, in
order, however the work was spread:

- ``workers=1``, no scheduler: one after the other, here.
- ``workers=N``: a pool of N processes on this machine, which start the chunks in the order
  given (put the longest first). If a process dies (killed, out of memory), the pool is rebuilt
  and the chunks that had not come back run again.
- ``scheduler=ADDRESS`` (or a `distributed.Client`): Dask distributed tasks, one per chunk.
  The scheduler re-runs the task of a worker that is lost; a chunk that raises is retried too.

In local processes and on a cluster a chunk that fails is run again, at most RETRIES more times,
before its error is raised; here, a failure would only repeat, and in forked processes the
chunk a worker inherited may be what the failed attempt left of it: there it is raised at once.
``progress(n)`` receives what the runner tells through ``report(n)`` (a sweep: member-steps):
as it comes here and in local processes (sent back through a queue a few times a second),
chunk by chunk on a cluster.

How local processes start (``start_method``):

- "fork": copies of this process. The way for a script without an ``if __name__ ==
  "__main__"`` guard (a lesson), which a process started afresh would import, and so run,
  again. The runner and the chunks are inherited, not pickled: a closure or a lambda is a valid
  runner, and large arrays reach the workers without a copy being sent. Only results travel
  back.
- "forkserver": forked from a server process that imported the runner's module once; nothing is
  inherited from this process but what is sent (the runner and each chunk, pickled).
- "spawn": fresh interpreters, sent what "forkserver" sends.

`local_processes(workers, start_method, inherited)` is the pool itself, for a caller that
schedules its own jobs (the digits score a seed as soon as that seed's trainings are back);
each of its processes reads the values it was started with by `inherited(name)`.

Local processes end with the process that started them: each runs a thread that ends it when
its parent changes (the starter died: "fork", "spawn") or when a pipe whose other end only the
starter holds closes ("forkserver", whose workers are the fork server's children). A fork
server and the resource tracker end by themselves once no process of theirs is left. Workers
ignore SIGINT (a Ctrl-C reaches the whole process group): the starter, interrupted, ends them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import multiprocessing
import os
import queue as queue_module
import signal
import threading
import time

RETRIES = 2
START_METHODS = ("fork", "forkserver", "spawn")     # multiprocessing's, for local workers
_INHERITED = {}             # in a worker process: what it was started with (local_processes)
_REPORT_EVERY = 0.25        # seconds between a local worker's progress messages
_WATCH_EVERY = 0.25         # seconds between a local worker's looks at its starter


def check_backend(workers, scheduler, start_method="forkserver"):
    """ValueError/TypeError naming a bad ``workers``, ``scheduler`` or ``start_method`` (before
    any work)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if start_method not in START_METHODS:
        raise ValueError(f"start_method must be one of {START_METHODS}, got {start_method!r}")
    available = multiprocessing.get_all_start_methods()
    if workers > 1 and scheduler is None and start_method not in available:
        raise ValueError(f"start_method must be one of {available} on this platform for "
                         f"workers > 1, got {start_method!r}")
    if scheduler is not None:
        if workers != 1:
            raise ValueError(f"workers must be 1 when a scheduler is given (the cluster's "
                             f"workers run the chunks), got workers={workers}")
        if not isinstance(scheduler, str) and not hasattr(scheduler, "submit"):
            raise TypeError(f"scheduler must be an address such as 'tcp://10.0.0.5:8786' or a "
                            f"distributed.Client, got {type(scheduler).__name__}")
        if isinstance(scheduler, str):
            scheduler_endpoint(scheduler)


SCHEDULER_SCHEMES = ("tcp://", "tls://")


def scheduler_endpoint(address):
    """(host, port) of a scheduler address ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or
    ``HOST:PORT`` (an IPv6 host in brackets, ``[::1]:8786``); ValueError naming the address
    and the forms allowed otherwise."""
    allowed = "allowed: tcp://HOST:PORT or HOST:PORT, PORT in 1..65535, e.g. tcp://10.0.0.5:8786"
    rest = address.strip()
    for scheme in SCHEDULER_SCHEMES:
        if rest.startswith(scheme):
            rest = rest[len(scheme):]
            break
    host, colon, port = rest.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    bad_host = not host or any(c.isspace() or c in "/[]@?#" for c in host) or (
        ":" in host and not rest.startswith("["))
    if not colon or bad_host or not (port.isascii() and port.isdigit()) or not 1 <= int(port) <= 65535:
        raise ValueError(f"scheduler must be an address with a host and a port, got "
                         f"{address!r}; {allowed}")
    return host, int(port)


def can_fork():
    """Whether this platform forks processes (not on Windows): where it does not, the callers
    whose jobs must be inherited run them here, one after the other."""
    return "fork" in multiprocessing.get_all_start_methods()


def local_processes(workers, start_method="forkserver", inherited=None, preload=()):
    """A `concurrent.futures.ProcessPoolExecutor` of ``workers`` processes started by
    ``start_method``, each of which reads ``inherited[name]`` as `inherited(name)`: through the
    fork with "fork" (no copy sent: arrays, closures), pickled once per process otherwise.
    ``preload``: modules a fork server imports once, before it forks the workers."""
    check_backend(workers, None, start_method)
    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver" and preload:
        context.set_forkserver_preload(list(preload))
    if start_method == "forkserver":    # started now, not while _collect holds signals back
        from multiprocessing import forkserver

        forkserver.ensure_running()
    # A forked worker would inherit the pipe's writing end too: it watches its parent instead.
    alive, writer = (None, None) if start_method == "fork" else context.Pipe(duplex=False)
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker,
        initargs=(dict(inherited or {}), alive))
    pool._starter_alive = writer       # held (open) as long as the pool is
    return pool


def stop_processes(pool):
    """End the processes of a `local_processes` pool now, their jobs unfinished (an
    interrupted caller), and shut it down without waiting."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    for process in processes:           # reaped, not left as zombies
        try:
            process.join(timeout=2)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def inherited(name):
    """In a process of `local_processes`: the value ``inherited[name]`` it was started with."""
    return _INHERITED[name]


def _start_worker(values, alive=None):
    _INHERITED.clear()
    _INHERITED.update(values)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):      # started while _collect held signals back
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    threading.Thread(target=_watch_starter, args=(os.getppid(), alive), daemon=True,
                     name="watch-starter").start()


def _watch_starter(parent, alive):
    """End this worker when the process that started the pool is gone: its parent changed, or
    the pipe ``alive`` (whose writing end only the starter holds) reached its end."""
    while True:
        if alive is None:
            time.sleep(_WATCH_EVERY)
            gone = False
        else:
            try:
                gone = alive.poll(_WATCH_EVERY)      # no one writes: ready means closed
            except (OSError, EOFError):
                gone = True
        if gone or os.getppid() != parent:
            os._exit(1)


def run_chunks(chunks, runner, workers=1, scheduler=None, progress=None,
               start_method="forkserver"):
    """``[runner(chunk, report) for chunk in chunks]``, run where the module notes say.

    ``runner(chunk, report)`` is a picklable module-level function (or a `functools.partial` of
    one), or with ``start_method="fork"`` any callable; ``report(n)`` passes n on to
    ``progress``. ``start_method`` starts the local processes: "forkserver" (the default)
    inherits nothing from this process; "fork" copies it, for a script without an ``if
    __name__ == "__main__"`` guard (a lesson), which processes started afresh would run again.
    """
    check_backend(workers, scheduler, start_method)
    chunks = list(chunks)
    if scheduler is not None:
        return _on_cluster(chunks, runner, scheduler, progress)
    if workers == 1 or len(chunks) == 1:
        return [runner(chunk, progress or _ignore) for chunk in chunks]
    return _in_processes(chunks, runner, workers, progress, start_method)


def _ignore(amount):
    return None


# ---- local processes ------------------------------------------------------------------------
def _run_inherited(index):
    """Chunk ``index`` of the chunks a forked worker inherited, by the runner it inherited."""
    return _run_in_worker(_INHERITED["runner"], index, _INHERITED["chunks"][index])


def _run_in_worker(runner, index, chunk):
    """A chunk in a pool process; progress goes back through the queue as (chunk index,
    amount reported since the last message), a few times a second."""
    pending, last = [0], [time.monotonic()]

    def report(amount):
        pending[0] += amount
        if time.monotonic() - last[0] >= _REPORT_EVERY:
            _INHERITED["progress"].put((index, pending[0]))
            pending[0], last[0] = 0, time.monotonic()

    result = runner(chunk, report)
    if pending[0]:
        _INHERITED["progress"].put((index, pending[0]))
    return result


class _Progress:
    """Reported amounts passed on to ``progress``, per chunk never more than once: a chunk run
    again after its process died reports again from zero, and only what goes beyond its
    earlier attempt is passed on."""

    def __init__(self, progress_queue, progress, chunks):
        self.queue, self.progress = progress_queue, progress
        self.passed_on, self.this_attempt = [0] * chunks, [0] * chunks

    def restart(self, index):
        self.this_attempt[index] = 0

    def drain(self):
        while True:
            try:
                index, amount = self.queue.get_nowait()
            except queue_module.Empty:
                return
            self.this_attempt[index] += amount
            new = self.this_attempt[index] - self.passed_on[index]
            if new > 0 and self.progress is not None:
                self.progress(new)
            self.passed_on[index] = max(self.passed_on[index], self.this_attempt[index])


def _in_processes(chunks, runner, workers, progress, start_method="forkserver"):
    """Chunks over `local_processes`, rebuilt when a process dies; results in the order of
    ``chunks``. A chunk that raises is submitted again, up to RETRIES times; if the pool breaks
    RETRIES + 1 times in a row with no chunk coming back, the error is raised. Forked processes
    inherit the runner and the chunks and are sent chunk indices; others are sent both."""
    tracker = _Progress(multiprocessing.get_context(start_method).Queue(), progress, len(chunks))
    inherit = {"progress": tracker.queue}
    if start_method == "fork":
        inherit.update(runner=runner, chunks=chunks)
    results, failures, breaks_in_a_row = {}, [0] * len(chunks), 0
    while len(results) < len(chunks):
        todo = [index for index in range(len(chunks)) if index not in results]
        finished_before = len(results)
        pool = local_processes(min(workers, len(todo)), start_method, inherit,
                               _module_of(runner))
        try:
            broken = _collect(pool, runner, chunks, todo, results, failures, tracker,
                              forked=start_method == "fork")
        except BaseException:           # interrupted, or a chunk's error: no waiting for others
            stop_processes(pool)
            raise
        pool.shutdown(wait=True)
        tracker.drain()
        if broken is not None:
            breaks_in_a_row = 0 if len(results) > finished_before else breaks_in_a_row + 1
            if breaks_in_a_row > RETRIES:
                raise broken
    return [results[index] for index in range(len(chunks))]


@contextlib.contextmanager
def _uninterrupted():
    """SIGINT and SIGTERM held back while the block runs (delivered after it), where the
    platform can."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _module_of(runner):
    """The module that defines ``runner`` (a fork server imports it once), if not a script."""
    while isinstance(runner, functools.partial):
        runner = runner.func
    module = getattr(runner, "__module__", None)
    return () if module in (None, "__main__", "__mp_main__") else (module,)


def _collect(pool, runner, chunks, todo, results, failures, tracker, forked):
    """Submit the chunks ``todo`` to the pool and wait for them, passing progress on; a chunk
    that raised is submitted again (its error raised after RETRIES), unless ``forked``: then
    its worker's inherited chunk may be what the failed attempt left, and the error is raised
    at once. Returns the error if the pool broke (a process died): its unfinished chunks are
    then left out of ``results`` (a new pool inherits them afresh)."""

    def submit(index):
        tracker.restart(index)
        with _uninterrupted():          # a process it starts is known to the pool, to be ended
            if forked:                  # the runner and the chunks came through the fork
                return pool.submit(_run_inherited, index)
            return pool.submit(_run_in_worker, runner, index, chunks[index])

    futures = {submit(index): index for index in todo}
    waiting, broken = set(futures), None
    while waiting:
        done, waiting = concurrent.futures.wait(waiting, timeout=0.1)
        tracker.drain()
        for future in done:
            index = futures[future]
            try:
                results[index] = future.result()
            except concurrent.futures.process.BrokenProcessPool as lost:
                broken = lost
            except Exception:
                failures[index] += 1
                if forked or failures[index] > RETRIES:
                    raise
                retry = submit(index)
                futures[retry] = index
                waiting.add(retry)
    return broken


# ---- a Dask cluster -------------------------------------------------------------------------
def _client(scheduler):
    if hasattr(scheduler, "submit"):
        return scheduler, False
    try:
        from distributed import Client
    except ImportError as missing:
        raise ImportError("a sweep on a cluster needs Dask distributed: "
                          "pip install 'numpy-gan[cluster]' (or dask[distributed])") from missing
    return Client(scheduler), True


def _run_on_worker(runner, chunk):
    """A chunk on a cluster's worker: its result and the total its runner reported."""
    reported = [0]

    def report(amount):
        reported[0] += amount

    return runner(chunk, report), reported[0]


def _on_cluster(chunks, runner, scheduler, progress):
    """One task per chunk on a Dask cluster; the scheduler re-runs a lost worker's tasks and
    ``retries`` re-runs a task that raised. Progress passes on each chunk's reported total as
    the chunk comes back."""
    from distributed import as_completed

    client, owned = _client(scheduler)
    try:
        futures = [client.submit(_run_on_worker, runner, chunk, retries=RETRIES, pure=False)
                   for chunk in chunks]
        order = {future.key: index for index, future in enumerate(futures)}
        results = {}
        for future in as_completed(futures):
            index = order[future.key]
            results[index], reported = future.result()
            if progress is not None:
                progress(reported)
        return [results[index] for index in range(len(chunks))]
    finally:
        if owned:
            client.close()
