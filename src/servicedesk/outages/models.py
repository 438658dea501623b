"""Models of outages."""
