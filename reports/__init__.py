"""What people read: the folio report (JSON, HTML, PDF), the period report, the rule catalogue's
Spanish texts as reports show them. Templates ship in `reports/templates`."""
