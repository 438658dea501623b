"""Models of changes."""
