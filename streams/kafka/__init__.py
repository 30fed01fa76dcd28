"""Kafka plumbing shared by the agents: an awaitable producer and DLQ records."""
