"""OS process plumbing: every child the pipeline starts dies with the process that started it."""
