"""Date formats of the web UI per language (`FORMAT_MODULE_PATH`)."""
