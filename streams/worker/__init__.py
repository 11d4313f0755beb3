"""The worker: geopulse's Kafka side, faust agents around the pure core.

    articles ──ingest+tag──▶ events
        │            └──────▶ geopulse.digests (one batch to every partition)
        └─ bad ─▶ articles.dlq          │
                                        └──count+detect──▶ counts, alerts ──notify──▶ webhooks

Two hops carry an article through: ingest+tag (stateless, batched) and count+detect (partitioned by
country, state in a changelogged table).

    app.py          the factory: topics, table, agents, timers and views wired, nothing decided
    stages.py       ingest and count as plain functions (records in; records to send, state out)
    agents.py       per batch: faust's events to stage records, sends, acks, state writes, metrics
    state.py        what a running worker holds (the app, its topics, what the views report)
    store.py        one partition's count/detect state over the changelogged table
    health.py       broker, topics and consumer lag, checked every few seconds
    web.py          /health, /ready, /metrics and the JSON API
    webhooks.py     the notify agent and its Kafka journal of pending deliveries
    workarounds.py  every patch of faust, each with the problem it answers
    runner.py       the faust worker process for a built app
    kafka.py        connection options of the two Kafka clients; clients.py: kafka-python helpers

Nothing here imports the CLI, `streams.offline` or the replay module (tests/test_layout.py).
"""
