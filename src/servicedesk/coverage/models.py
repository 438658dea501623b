"""Models of coverage."""
