"""Shared test settings: the same hypothesis examples on every run, unless asked otherwise.

`python -m pytest -q` (the README's command) loads the "deterministic" profile: examples are
derived from each test's name (derandomize=True), no example database is read or written (so a
failure found elsewhere is never replayed from `.hypothesis/` into the default run), and there is
no deadline (a slow, shared machine is not a failure). CI=true selects the same profile under its
old name "ci".

Developers who want hypothesis to search for new examples choose the "explore" profile:

    python -m pytest -q --hypothesis-profile explore      (or HYPOTHESIS_PROFILE=explore)

It draws fresh random examples, ten times as many, and keeps failures in the local database so
they replay until fixed. A defect it finds becomes a fixed bug with a regression test (an
`@example` or a plain test), so the deterministic run checks it from then on.
"""

import os

from hypothesis import HealthCheck, settings

DETERMINISTIC = dict(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("deterministic", **DETERMINISTIC)
settings.register_profile("ci", **DETERMINISTIC)
settings.register_profile(
    "explore",
    derandomize=False,
    deadline=None,
    max_examples=1000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
