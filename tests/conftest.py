"""Shared test settings.

Hypothesis runs with a derandomised profile whenever the environment variable CI is
set (as it is in `.ci/run`'s environment), so CI draws the same examples every run and
a slow machine is never a failure; locally the "dev" profile keeps the deadline off too.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
