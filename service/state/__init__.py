"""State shared by gateway replicas: Redis backends of the token, idempotency and lock stores.

`backends.build_stores(settings)` picks them: in-process stores when `REDIS_URL` is unset (one
process, today's behaviour), Redis ones when it is set (any number of replicas, one truth).
"""
