"""Outage communication: notices, their updates, the status page and linked tickets."""
