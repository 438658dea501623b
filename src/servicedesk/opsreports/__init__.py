"""Operational reports (seed 003 "Rapportages"): open tickets per product group and
priority with their ages, reaction times of open tickets, tickets outside their SLA or
without an update for N working days, and the weekly digest of the latter."""
