"""Stage 4: do it. Stale checks, batched mutations with compare-and-set and idempotency keys,
a crash-safe journal, and the drift report after the fact."""
