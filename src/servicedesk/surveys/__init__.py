"""Customer satisfaction (tNPS, seed 003): one survey mail after a ticket closes, answered
once through a signed link without signing in; detractors alert the team lead; results per
period for the reports."""
