"""Change management: decisions on change requests and proposals the customer accepts."""
