"""Pending-documents notices to claimants: built from a decision, recorded, written, and sent by
e-mail (SMTP) with the outcome recorded."""
