"""Runtime helpers shared by the agents: keyed concurrency, raw-record decoding."""
