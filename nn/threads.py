"""How many threads BLAS may use for the matrix products.

The networks of this course are small (tens of units, batches of hundreds): one matrix
product takes microseconds, less than it takes to wake a second thread. On a busy
machine a multithreaded BLAS then spins waiting for cores and one product can take 50
times longer (measured: 13.6 ms instead of 0.27 ms for a (512, 64) @ (64, 64) product
with the other core loaded). Training loops therefore run single-threaded BLAS by
default. threadpoolctl changes the limit of the BLAS library NumPy already loaded, for
the duration of a `with` block, and restores it afterwards.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def blas_threads(n=1):
    """Context manager: at most ``n`` BLAS threads inside the block (None: leave as is)."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n must be a positive integer or None, got {n!r}")
    return threadpool_limits(limits=n, user_api="blas")
