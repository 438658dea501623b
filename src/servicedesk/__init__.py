"""servicedesk: a service desk for software vendors under service level agreements."""
