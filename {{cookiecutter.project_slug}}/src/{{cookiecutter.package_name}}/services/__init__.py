"""Use cases: each public method is one transaction."""
