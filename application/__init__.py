"""The use cases: evaluate a folio, record its decision, notify the claimant, re-upload, sweep.
Every entry point (CLI, API, Prefect flows), the benchmarks and the tests call these; none
composes the steps again.

  intake.take_in_folio    folio directory -> stored originals -> evaluation -> recorded decision
  evaluate.evaluate_folio the one place that orders the steps of an evaluation
  record.record_decision  decision + queue move + UUIDs, reports written and uploaded
  notice.notify_claimant  the pending-documents notice: recorded, written, uploaded, sent
  sweep.recheck_batch     the awaiting_sat sweep, with the retry-budget rule
  reupload.add_files      new documents for a folio already processed
  services.Services       a process's settings, rule set, storage, trust stores, extraction cache

The steps themselves: folio_dir (reading the directory as sent), originals (the blob store),
packaging, reading (extraction cache + reader sandbox), deciding (validation and the route)."""
