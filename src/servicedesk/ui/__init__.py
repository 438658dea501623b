"""What the portal and the desk share of the web UI: HTMX helpers, form helpers, labels,
template filters, the layout's navigation and date formats.

`servicedesk.portal` and `servicedesk.desk` both build on this package and never import
each other (an import contract in pyproject.toml checks it). Nothing here decides who may
do what: that is `servicedesk.tickets.policy`.
"""
