"""Prefect orchestration: the flows and their tasks. Business logic lives in extractors/ and
validators/, bytes and state in storage/; tasks only call them."""
