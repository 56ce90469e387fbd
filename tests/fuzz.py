"""How hard the fuzz and property tests push. FUZZ_SCALE (default 1) multiplies every example count: the README's
test command (and CI) runs the default, sized to keep the suite well under 15 minutes on 2 cores; a deeper sweep
(before a release, or after touching tokens, forms or the scrubber) runs e.g. `FUZZ_SCALE=10 make test`."""

import os

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def examples(count: int) -> int:
    return max(1, round(count * SCALE))
