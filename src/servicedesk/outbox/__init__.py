"""The outbox: one mechanism that carries everything the desk sends.

A row of an outbox table (a model built on `models.OutboxItem`) is one thing to send:
a customer's mail (`mail.OutboundMail`), a staff notification (`automation.Notification`).
Each table is a *channel* (`services.Channel`): the table and how to send one of its rows.

- `services.outbox_add` stores rows once (a unique `dedupe_key`) in the caller's
  transaction and queues their sending when it commits;
- `services.outbox_deliver` sends: each row is claimed with a conditional UPDATE (a lease)
  before sending and stamped sent after, so two workers never both send it; a failure
  waits out a back-off (5 minutes, doubling, at most 6 hours) and is given up after about
  a day (MAX_ATTEMPTS);
- `services.outbox_requeue` (the tick, every minute) queues again what is unsent and due
  another look: a lost task, an expired lease, a back-off over;
- `tasks.outbox_send` is the one background task that sends, for every channel.

The same back-off and give-up (`services.retry_delay`) also retry the tick's failed
scheduled actions, so the desk has one retry policy.
"""
