"""Where a sweep's chunks run: in this process, in N local processes, or on a Dask cluster.

A sweep is a list of chunks, each a list of configs that train as one ensemble
(`gan.lab.ensemble.train_ensemble`); a chunk's results depend on nothing but its configs, so any
process on any machine computes them bitwise alike (BLAS on one thread, as in every training).
`run_chunks(chunks, runner, ...)` returns ``[runner(chunk, report) for chunk in chunks]``,
in order, however the work was spread:

- ``workers=1``, no scheduler: one after the other, here.
- ``workers=N``: a pool of N processes on this machine. If a process dies (killed, out of
  memory), the pool is rebuilt and the chunks that had not come back run again.
- ``scheduler=ADDRESS`` (or a `distributed.Client`): Dask distributed tasks, one per chunk.
  The scheduler re-runs the task of a worker that is lost; a chunk that raises is retried too.

In local processes and on a cluster a chunk that fails is run again, at most RETRIES more times,
before its error is raised (here, a failure would only repeat: it is raised at once).
``progress(member_steps)`` reports finished member-steps: step by step here and in local
processes (sent back through a queue), chunk by chunk on a cluster.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import queue as queue_module
import time

RETRIES = 2
START_METHODS = ("fork", "forkserver", "spawn")     # multiprocessing's, for local workers
_PROGRESS_QUEUE = None      # set in each local worker process by _start_worker
_REPORT_EVERY = 0.25        # seconds between a local worker's progress messages


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
        if isinstance(scheduler, str) and not scheduler.strip():
            raise ValueError("scheduler must be a non-empty address, got ''")


def run_chunks(chunks, runner, workers=1, scheduler=None, progress=None,
               start_method="forkserver"):
    """``[runner(chunk, report) for chunk in chunks]``, run where the module notes say.

    ``runner(chunk, report)`` must be a picklable module-level function (or a
    `functools.partial` of one); ``report(member_steps)`` is how it tells of progress.
    ``len(chunk)`` member-steps are counted for each step of a chunk's runs.
    ``start_method`` starts the local processes: "forkserver" (the default) inherits nothing
    from this process; "fork" copies it, for a script without an ``if __name__ ==
    "__main__"`` guard (a lesson), which processes started afresh would run again.
    """
    check_backend(workers, scheduler, start_method)
    chunks = list(chunks)
    if scheduler is not None:
        return _on_cluster(chunks, runner, scheduler, progress)
    if workers == 1 or len(chunks) == 1:
        return [runner(chunk, progress or _ignore) for chunk in chunks]
    return _in_processes(chunks, runner, workers, progress, start_method)


def _ignore(member_steps):
    return None


# ---- local processes ------------------------------------------------------------------------
def _start_worker(progress_queue):
    global _PROGRESS_QUEUE
    _PROGRESS_QUEUE = progress_queue


def _run_in_worker(runner, index, chunk):
    """A chunk in a pool process; progress goes back through the queue as (chunk index,
    member-steps since the last message), a few times a second."""
    pending, last = [0], [time.monotonic()]

    def report(member_steps):
        pending[0] += member_steps
        if time.monotonic() - last[0] >= _REPORT_EVERY:
            _PROGRESS_QUEUE.put((index, pending[0]))
            pending[0], last[0] = 0, time.monotonic()

    result = runner(chunk, report)
    if pending[0]:
        _PROGRESS_QUEUE.put((index, pending[0]))
    return result


class _Progress:
    """Member-steps passed on to ``progress``, per chunk never more than once: a chunk run
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
                index, member_steps = self.queue.get_nowait()
            except queue_module.Empty:
                return
            self.this_attempt[index] += member_steps
            new = self.this_attempt[index] - self.passed_on[index]
            if new > 0 and self.progress is not None:
                self.progress(new)
            self.passed_on[index] = max(self.passed_on[index], self.this_attempt[index])


def _in_processes(chunks, runner, workers, progress, start_method="forkserver"):
    """Chunks over a pool of ``workers`` processes, rebuilt when a process dies; results in
    the order of ``chunks``. A chunk that raises is submitted again, up to RETRIES times; if
    the pool breaks RETRIES + 1 times in a row with no chunk coming back, the error is raised.
    By default the processes are forked from a server process that imported gan.lab.sweep once
    (start method "forkserver"): nothing is inherited from this process but what is sent."""
    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        context.set_forkserver_preload(["gan.lab.sweep"])
    tracker = _Progress(context.Queue(), progress, len(chunks))
    results, failures, breaks_in_a_row = {}, [0] * len(chunks), 0
    while len(results) < len(chunks):
        todo = [index for index in range(len(chunks)) if index not in results]
        finished_before = len(results)
        with concurrent.futures.ProcessPoolExecutor(
                max_workers=min(workers, len(todo)), mp_context=context,
                initializer=_start_worker, initargs=(tracker.queue,)) as pool:
            broken = _collect(pool, runner, chunks, todo, results, failures, tracker)
        tracker.drain()
        if broken is not None:
            breaks_in_a_row = 0 if len(results) > finished_before else breaks_in_a_row + 1
            if breaks_in_a_row > RETRIES:
                raise broken
    return [results[index] for index in range(len(chunks))]


def _collect(pool, runner, chunks, todo, results, failures, tracker):
    """Submit the chunks ``todo`` to the pool and wait for them, passing progress on; a chunk
    that raised is submitted again (its error raised after RETRIES). Returns the error if the
    pool broke (a process died): its unfinished chunks are then left out of ``results``."""

    def submit(index):
        tracker.restart(index)
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
                if failures[index] > RETRIES:
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
    return runner(chunk, _ignore)


def _on_cluster(chunks, runner, scheduler, progress):
    """One task per chunk on a Dask cluster; the scheduler re-runs a lost worker's tasks and
    ``retries`` re-runs a task that raised. Progress counts each chunk as it comes back."""
    from distributed import as_completed

    client, owned = _client(scheduler)
    try:
        steps = [len(chunk) * chunk[0].steps for chunk in chunks]
        futures = [client.submit(_run_on_worker, runner, chunk, retries=RETRIES, pure=False)
                   for chunk in chunks]
        order = {future.key: index for index, future in enumerate(futures)}
        results = {}
        for future in as_completed(futures):
            index = order[future.key]
            results[index] = future.result()
            if progress is not None:
                progress(steps[index])
        return [results[index] for index in range(len(chunks))]
    finally:
        if owned:
            client.close()
