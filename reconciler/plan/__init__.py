"""Stage 3: decide what to change. Pure functions from (desired, live) to a `Plan`."""
