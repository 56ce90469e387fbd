"""Settings for `make load` only: the production settings, plus the bare baseline view's URL, and no per-IP limits
(every simulated visitor comes from 127.0.0.1). Never used outside benchmarks/load.py."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_urls"
ACCOUNT_RATE_LIMITS = False
SUBSCRIPTIONS_SUBSCRIBE_RATE_PER_IP = 1_000_000

if os.environ.get("LOAD_PROFILE"):  # load.py --profile: per-endpoint timings and cProfile (benchmarks/profiling.py)
    MIDDLEWARE = ["benchmarks.profiling.ProfilingMiddleware", *MIDDLEWARE]  # noqa: F405
