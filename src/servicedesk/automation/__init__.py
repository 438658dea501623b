"""Workflow automation: time-based rules, RACI, notifications, and the worker's tick.

- `models`: `ScheduledAction` (a rule's next step for one ticket, with its due time),
  `Notification` (one message to one recipient, created once, sent once), `RaciEntry`.
- `schedule`: what services call to schedule and cancel actions when a ticket changes.
- `raci`: the RACI matrix and `recipients()`, which resolves its roles to people.
- `notify`: notifications planned, recorded with their timeline events, and delivered
  (the customer's reminders and closing mail by the e-mail channel, `mail.outbound`).
- `rules`: what each scheduled action does when it is due.
- `tick`: one pass of the scheduler: due actions, SLA clocks, unsent notifications and mail.
- sending goes through the one outbox (`servicedesk.outbox`), whose task
  `servicedesk worker` runs.
"""
