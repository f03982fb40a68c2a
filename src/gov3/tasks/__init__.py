"""Background work: jobs recorded in the database with the write that causes them, run by a
Huey worker, retried with backoff, parked when they keep failing (docs/adr/0033)."""
