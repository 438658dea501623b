"""Time tracking, credit bundles and the billing report."""
