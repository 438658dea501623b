"""Who pays for a ticket's work: covered by maintenance, billable or warranty."""
