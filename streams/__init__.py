"""casebridge stream processing: the Faust app, its settings, topics and agents."""
