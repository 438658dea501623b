"""Service-level reports over 1,000,000 closed and 50,000 open tickets (issue 11).

A fresh PostgreSQL database (dropped and created; dropped again at the end unless --keep) is
migrated and seeded through `servicedesk shell -c`: the master data with the ORM (200
organisations of skewed size, each with a contract under one of the five service levels,
contacts, 12 products in 3 groups, 5 teams of 4 agents, a service manager), then the
tickets, their SLA clocks, the clocks' time per holder (`reports.ClockShare`) and the
satisfaction surveys in large `INSERT ... SELECT` statements run by PostgreSQL itself from a
staging table of random numbers (no row passes through Python). The clocks follow the
service levels' real targets (the catalogue is read from `servicedesk.sla.presets`: which
targets, durations, objectives and internal flags each kind and priority gets); whether a
clock was met or missed, and when, is drawn per organisation (each has its own miss rate).

Then, in one `servicedesk shell -c`: the compliance report (`reports.compliance`) of the
last complete quarter for the largest organisation and for all organisations, timed
in-process (a warm-up, then --runs timed runs; the median is the figure), with EXPLAIN
(ANALYZE, BUFFERS) of each of its statements for all organisations on stderr; the review
pack of the largest organisation for that quarter as a PDF (`reviewpack`, if installed);
the dashboard's SQL statements. Then `servicedesk serve` and sequential requests of the
dashboard page (`/desk/dashboard/`) signed in as a service manager, after a warm-up.

Prints one figure a line, `name: value unit`; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from api_create import (
    HOST,
    GlobalTimeout,
    Server,
    figure,
    log,
    percentile,
    port_is_free,
    run_command,
    servicedesk_command,
)
from benchlib import BenchError, Database
from benchlib import deadline as time_limit

TARGET_COMPLIANCE_S = 2.0  # a quarter over all organisations (the issue)
TARGET_PDF_S = 5.0
TARGET_DASHBOARD_MS = 150  # p95

# Service levels of the contracts, and the share of organisations under each.
LEVELS = (
    ("impact-urgency-nl-office-hours", 0.35),
    ("saas-high-medium-low", 0.25),
    ("severity-nl-office-hours", 0.25),
    ("four-levels-nl-office-hours", 0.10),
    ("support-levels-no-targets", 0.05),
)

SEED = r"""
import json, os, random, time
from datetime import date, timedelta
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from servicedesk.accounts.models import Contact, Organisation, StaffRole, Supplier, Team, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.contracts.models import Contract
from servicedesk.servicelevels.selectors import current_version
from servicedesk.sla.policy import Target
from servicedesk.sla.presets import PRESETS
from servicedesk.sla.vocab import TicketKind
from servicedesk.tickets.models import TicketNumber

CLOSED, OPEN, ORGS = (int(os.environ[k]) for k in ("BENCH_CLOSED", "BENCH_OPEN", "BENCH_ORGS"))
LEVELS = json.loads(os.environ["BENCH_LEVELS"])
TOTAL = CLOSED + OPEN
rnd = random.Random(20261203)
now = timezone.now()
started = time.perf_counter()
steps = {}


def step(name):
    steps[name] = round(time.perf_counter() - started - sum(steps.values()), 1)
    print(f"BENCH-STEP {name} {steps[name]}", flush=True)


def sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# -- master data (ORM) ------------------------------------------------------------------
agents = []
for t in range(5):
    members = [
        User.objects.create_user(f"agent{t}{a}", f"agent{t}{a}@bench.example", None,
                                 role=StaffRole.AGENT, first_name=f"Agent{t}{a}")
        for a in range(4)
    ]
    lead = User.objects.create_user(f"lead{t}", f"lead{t}@bench.example", None,
                                    role=StaffRole.TEAM_LEAD)
    team = Team.objects.create(name=f"Team {t}", lead=lead)
    team.members.set(members)
    agents += [(m.pk, team.pk) for m in members]
manager = User.objects.create_user("manager", "manager@bench.example", None,
                                   role=StaffRole.SERVICE_MANAGER, first_name="Sam",
                                   time_zone="Europe/Amsterdam")
suppliers = [Supplier.objects.create(name=f"Supplier {s}").pk for s in range(3)]
products = []
for g in range(3):
    group = ProductGroup.objects.create(name=f"Group {g}")
    for p in range(4):
        products.append(Product.objects.create(group=group, name=f"Product {g}.{p}",
                                               code=f"p-{g}-{p}").pk)

level_slots = [key for key, share in LEVELS for _ in range(round(share * 100))]
orgs = []
for o in range(ORGS):
    level = level_slots[(o * 37) % len(level_slots)] if o else LEVELS[0][0]
    preset = PRESETS[level]
    org = Organisation.objects.create(name=f"Organisation {o:03d}", code=f"org-{o}")
    contract = Contract.objects.create(
        organisation=org, name=f"Maintenance {o}", reference=f"C-{o:04d}",
        service_level_id=level, priority_scheme=preset.scheme.key, starts_on=date(2020, 1, 1),
    )
    contract.products.set(products)
    contacts = Contact.objects.bulk_create([
        Contact(organisation=org, name=f"Contact {o}.{c}", email=f"c{c}@org{o}.example",
                is_cpc=(c == 0))
        for c in range(4)
    ])
    codes = list(preset.scheme.codes())
    weights = {3: (15, 50, 35), 4: (5, 20, 50, 25), 5: (3, 12, 35, 35, 15)}.get(
        len(codes), [100 // len(codes)] * len(codes))
    prio_slots = [code for code, w in zip(codes, weights) for _ in range(w)]
    prio_slots = (prio_slots + [codes[-1]] * 100)[:100]
    orgs.append({
        "idx": o, "org": org.pk, "contract": contract.pk, "level": level,
        "version": current_version(level).pk, "codes": codes, "prio_slots": prio_slots,
        "contacts": [c.pk for c in contacts], "miss_rate": round(0.02 + 0.12 * rnd.random(), 3),
        "weight": 1.0 / (o + 1) ** 0.8,
    })
step("master data")

# -- what the service levels promise: one row per level, kind, priority and target ------
targets = []
for key, _share in LEVELS:
    preset = PRESETS[key]
    for kind in TicketKind:
        policy = preset.policy_for(kind)
        for code in preset.scheme.codes():
            for target_key, target in policy.targets_for(kind=kind, priority=code).items():
                if isinstance(target, Target):
                    calendar_time = str(target.clock) == "calendar_time"
                    targets.append((key, str(kind), code, target_key, str(target.metric),
                                    int(target.duration.total_seconds()),
                                    target.objective_percent, target.internal, "",
                                    calendar_time))
                else:
                    targets.append((key, str(kind), code, target_key, target_key, None, None,
                                    False, target.reason[:200], False))

sql("CREATE TEMP TABLE bench_orgs (idx int PRIMARY KEY, org_id bigint, contract_id bigint, "
    "level text, version_id bigint, codes text[], prio_slots text[], contacts bigint[], "
    "miss_rate float8)")
sql("CREATE TEMP TABLE bench_targets (level text, kind text, priority text, key text, "
    "metric text, seconds int, objective float8, internal bool, reason text, "
    "calendar_time bool)")
sql("CREATE TEMP TABLE bench_slots (slot int PRIMARY KEY, idx int)")
sql("CREATE TEMP TABLE bench_agents (slot int PRIMARY KEY, user_id bigint, team_id bigint)")
sql("CREATE TEMP TABLE bench_products (slot int PRIMARY KEY, product_id bigint)")
with connection.cursor() as cursor:
    cursor.executemany(
        "INSERT INTO bench_orgs VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [(o["idx"], o["org"], o["contract"], o["level"], o["version"], o["codes"],
          o["prio_slots"], o["contacts"], o["miss_rate"]) for o in orgs])
    cursor.executemany("INSERT INTO bench_targets VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       targets)
    total_weight = sum(o["weight"] for o in orgs)
    slots, cumulative, o = [], 0.0, 0
    for slot in range(10000):
        while o < len(orgs) - 1 and (cumulative + orgs[o]["weight"]) / total_weight * 10000 <= slot:
            cumulative += orgs[o]["weight"]
            o += 1
        slots.append((slot, o))
    cursor.executemany("INSERT INTO bench_slots VALUES (%s, %s)", slots)
    cursor.executemany("INSERT INTO bench_agents VALUES (%s, %s, %s)",
                       [(i, u, t) for i, (u, t) in enumerate(agents)])
    cursor.executemany("INSERT INTO bench_products VALUES (%s, %s)", list(enumerate(products)))
sql("SELECT setseed(0.1203)")

# -- tickets: one staging row of random numbers per ticket, then one INSERT ... SELECT ---
sql(f'''
CREATE TEMP TABLE bench_rows AS
SELECT g AS n, g > {CLOSED} AS is_open, random() AS r_org, random() AS r_age,
       random() AS r_kind, random() AS r_prio, random() AS r_prod, random() AS r_agent,
       random() AS r_contact, random() AS r_status, random() AS r_assign, random() AS r_line
FROM generate_series(1, {TOTAL}) g
''')
sql('''
INSERT INTO tickets_ticket (
  number, kind, title, description, steps_taken, expected_result, actual_result,
  reproducible, administration, affected_users, business_impact, recent_changes, channel,
  impact, urgency, requested_priority, priority, priority_rank, priority_justification,
  status, support_line, supplier_reference, created_at, updated_at, first_response_at,
  resolved_at, closed_at, assignee_id, contract_id, organisation_id, product_id,
  requester_id, supplier_id, team_id, sla_due_at, sla_next_check_at, sla_breached,
  sla_warn_at, service_level_version_id)
SELECT
  'SD-' || lpad(x.n::text, 7, '0'), x.kind, 'Bench ticket ' || x.n,
  'Since this morning the invoice run stops with an error (' || (mod(x.n, 997)) || ').',
  '', '', '', 'unknown', '', '', '', '', 'portal', '', '', '', x.prio,
  array_position(x.codes, x.prio), '', x.status,
  CASE WHEN x.r_line < 0.05 THEN 1 WHEN x.r_line < 0.2 THEN 3 ELSE 2 END,
  CASE WHEN x.status = 'waiting_on_supplier' THEN 'EXT-' || x.n ELSE '' END,
  x.created, COALESCE(x.closed, x.created + (%(now)s - x.created) * x.r_assign),
  CASE WHEN x.status = 'new' THEN NULL ELSE x.created + interval '50 minutes' END,
  x.closed, x.closed,
  CASE WHEN x.status <> 'new' OR x.r_assign < 0.3 THEN a.user_id END,
  x.contract_id, x.org_id,
  CASE WHEN x.r_prod < 0.85 THEN p.product_id END,
  x.contacts[1 + floor(x.r_contact * array_length(x.contacts, 1))::int],
  CASE WHEN x.status = 'waiting_on_supplier' OR (NOT x.is_open AND x.r_line > 0.97)
       THEN (SELECT min(id) FROM accounts_supplier) + (mod(x.n, 3)) END,
  a.team_id, NULL, NULL, false, NULL, x.version_id
FROM (
  SELECT b.*, o.*,
    CASE WHEN b.r_kind < 0.70 THEN 'incident' WHEN b.r_kind < 0.88 THEN 'question'
         WHEN b.r_kind < 0.96 THEN 'change_request'
         WHEN b.r_kind < 0.99 THEN 'application_service' ELSE 'complaint' END AS kind,
    o.prio_slots[1 + floor(b.r_prio * 100)::int] AS prio,
    CASE WHEN NOT b.is_open THEN 'closed'
         WHEN b.r_status < 0.15 THEN 'new' WHEN b.r_status < 0.55 THEN 'in_progress'
         WHEN b.r_status < 0.70 THEN 'waiting_on_customer'
         WHEN b.r_status < 0.78 THEN 'waiting_on_supplier'
         WHEN b.r_status < 0.82 THEN 'parked' WHEN b.r_status < 0.94 THEN 'solution_offered'
         ELSE 'reopened' END AS status,
    CASE WHEN b.is_open THEN %(now)s - interval '90 days' * b.r_age * b.r_age
         ELSE %(now)s - interval '3 days' - interval '727 days' * b.r_age END AS created,
    CASE WHEN b.is_open THEN NULL
         ELSE LEAST(%(now)s - interval '3 days' - interval '727 days' * b.r_age
                    + interval '1 hour' + interval '20 days' * b.r_status ^ 3,
                    %(now)s - interval '1 minute') END AS closed
  FROM bench_rows b
  JOIN bench_slots s ON s.slot = floor(b.r_org * 10000)::int
  JOIN bench_orgs o ON o.idx = s.idx
) x
JOIN bench_agents a ON a.slot = floor(x.r_agent * 20)::int
JOIN bench_products p ON p.slot = floor(x.r_prod * 12)::int
ORDER BY x.n
''', {"now": now})
step("tickets")

# -- clocks: one per ticket and target of its level, kind and priority -------------------
# A target counted in business hours (8 open hours a working day) is given about three
# times its length in real time; calendar-time targets their own length. Per clock, f is
# when it was met as a fraction of that: below 1 met, above 1 missed (met late, or not
# yet). Organisations miss at their own rate; a 100% target a little less often.
sql('''
CREATE TEMP TABLE bench_clocks AS
SELECT z.*,
  z.started + (z.due0 - z.started) * z.f AS m
FROM (
  SELECT t.id AS ticket_id, t.status, t.priority, t.created_at AS started, bt.key,
    bt.metric, bt.seconds, bt.objective, bt.internal, bt.reason,
    t.created_at + interval '1 second' * bt.seconds
      * CASE WHEN bt.calendar_time THEN 1 ELSE 3 END AS due0,
    CASE WHEN random() < o.miss_rate * CASE WHEN bt.objective >= 100 THEN 0.6
                                           WHEN bt.objective >= 95 THEN 1.0 ELSE 1.5 END
         THEN 1.05 + 1.5 * random() ELSE 0.05 + 0.9 * random() END AS f,
    random() AS r
  FROM tickets_ticket t
  JOIN bench_orgs o ON o.contract_id = t.contract_id
  JOIN bench_targets bt ON bt.level = o.level AND bt.kind = t.kind AND bt.priority = t.priority
) z
''')
sql('''
INSERT INTO tickets_ticketclock (
  key, metric, state, priority, target_seconds, objective_percent, internal,
  no_target_reason, started_at, due_at, warn_at, met_at, breached_at, remaining_seconds,
  computed_at, warning_recorded_at, breach_recorded_at, ticket_id)
SELECT key, metric, state, priority, seconds, objective, internal, reason, started,
  due, CASE WHEN seconds IS NOT NULL THEN started + (due - started) * 0.75 END,
  CASE WHEN state IN ('met', 'breached') AND m <= %(now)s THEN m END,
  CASE WHEN state = 'breached' THEN due END, NULL, %(now)s, NULL,
  CASE WHEN state = 'breached' THEN due + interval '1 minute' END, ticket_id
FROM (
  SELECT c.*,
    CASE WHEN c.seconds IS NULL THEN 'none'
         WHEN c.status = 'closed' AND (c.f < 1 OR c.due0 >= %(now)s) THEN 'met'
         WHEN c.status = 'closed' THEN 'breached'
         WHEN c.m <= %(now)s AND c.f < 1 THEN 'met'
         WHEN c.due0 < %(now)s THEN CASE WHEN c.r < 0.03 THEN 'running' ELSE 'breached' END
         WHEN c.status IN ('waiting_on_customer', 'solution_offered') THEN 'paused'
         ELSE 'running' END AS state,
    CASE WHEN c.seconds IS NULL THEN NULL
         WHEN c.status <> 'closed' AND c.due0 >= %(now)s
              AND c.status IN ('waiting_on_customer', 'solution_offered')
         THEN c.due0 + (%(now)s - c.started) * c.r
         ELSE c.due0 END AS due
  FROM bench_clocks c
) d
ORDER BY ticket_id
''', {"now": now})
step("clocks")

# -- who held the settled clocks (reports.ClockShare): line 2 for a met clock; a missed one
# splits its time over line 2 and line 3 or the supplier, some also waited on the customer.
sql('''
INSERT INTO reports_clockshare (holder, seconds, over_seconds, paused_seconds, clock_id,
                                supplier_id)
SELECT holder, seconds, over_seconds, paused_seconds, clock_id, supplier_id FROM (
  SELECT 'line2' AS holder,
    CASE WHEN c.state = 'met'
         THEN LEAST(c.target_seconds,
                    GREATEST(60, extract(epoch FROM c.met_at - c.started_at)::int / 3))
         ELSE (c.target_seconds * 0.6)::int + s.over / 2 END AS seconds,
    CASE WHEN c.state = 'met' THEN 0 ELSE s.over / 2 END AS over_seconds,
    0 AS paused_seconds, c.id AS clock_id, NULL::bigint AS supplier_id
  FROM tickets_ticketclock c
  CROSS JOIN LATERAL (SELECT GREATEST(60, extract(epoch FROM
      COALESCE(c.met_at, %(now)s) - c.due_at)::int / 3) AS over) s
  WHERE c.state IN ('met', 'breached')
  UNION ALL
  SELECT CASE WHEN t.supplier_id IS NULL THEN 'line3' ELSE 'supplier' END,
    (c.target_seconds * 0.4)::int + s.over - s.over / 2, s.over - s.over / 2, 0, c.id,
    t.supplier_id
  FROM tickets_ticketclock c
  JOIN tickets_ticket t ON t.id = c.ticket_id
  CROSS JOIN LATERAL (SELECT GREATEST(60, extract(epoch FROM
      COALESCE(c.met_at, %(now)s) - c.due_at)::int / 3) AS over) s
  WHERE c.state = 'breached'
  UNION ALL
  SELECT 'customer', 0, 0, 3600 * (1 + mod(c.id, 20)), c.id, NULL
  FROM tickets_ticketclock c
  WHERE c.state = 'breached' AND mod(c.id, 5) < 2
) shares
''', {"now": now})
step("clock shares")

# -- what the queues and the dashboard read on the open tickets (as tickets.sla keeps it) --
sql('''
UPDATE tickets_ticket t
SET sla_due_at = s.due, sla_warn_at = s.warn, sla_breached = s.breached,
    sla_next_check_at = s.next_check
FROM (
  SELECT c.ticket_id,
    min(c.due_at) FILTER (WHERE c.state = 'running') AS due,
    min(c.warn_at) FILTER (WHERE c.state = 'running') AS warn,
    bool_or(c.state = 'breached') AS breached,
    min(CASE WHEN c.warn_at > %(now)s THEN c.warn_at ELSE c.due_at END)
      FILTER (WHERE c.state = 'running') AS next_check
  FROM tickets_ticketclock c
  WHERE c.ticket_id > (SELECT max(id) FROM tickets_ticket) - %(open)s
  GROUP BY c.ticket_id
) s
WHERE t.id = s.ticket_id AND t.status <> 'closed'
''', {"now": now, "open": OPEN})
step("open tickets' SLA summary")

# -- satisfaction: 30% of the closed tickets asked, 35% of those answered -----------------
sql('''
INSERT INTO surveys_survey (language, sent_at, contact_id, ticket_id)
SELECT 'nl', t.closed_at, t.requester_id, t.id
FROM tickets_ticket t WHERE t.status = 'closed' AND random() < 0.3
''')
sql('''
INSERT INTO surveys_surveyanswer (score, comment, answered_at, survey_id)
SELECT CASE WHEN r < 0.55 THEN 9 + mod(id, 2) WHEN r < 0.8 THEN 7 + mod(id, 2)
            ELSE mod(id, 7) END,
       CASE WHEN mod(id, 5) = 0 THEN 'Quick and friendly.' ELSE '' END,
       LEAST(sent_at + interval '1 hour' * (1 + (mod(id, 72))), %(now)s), id
FROM (SELECT s.*, random() AS r FROM surveys_survey s) s
WHERE r < 0.35 OR r > 0.99
''', {"now": now})
step("surveys")

TicketNumber.objects.update_or_create(pk=1, defaults={"last": TOTAL})
sql("DROP TABLE bench_rows")
sql("DROP TABLE bench_clocks")
sql("VACUUM ANALYZE")
step("vacuum analyze")

client = Client()
client.force_login(manager)
largest = max(orgs, key=lambda o: o["weight"])
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'closed') FROM tickets_ticket")
    tickets, open_tickets = cursor.fetchone()
    cursor.execute(
        "SELECT count(*) FROM tickets_ticket WHERE organisation_id = %s", [largest["org"]])
    largest_tickets = cursor.fetchone()[0]
    cursor.execute("SELECT state, count(*) FROM tickets_ticketclock GROUP BY state ORDER BY 1")
    clocks = dict(cursor.fetchall())
    cursor.execute("SELECT count(*) FROM reports_clockshare")
    shares = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM surveys_surveyanswer")
    answers = cursor.fetchone()[0]
    cursor.execute("SELECT pg_database_size(current_database())")
    size = cursor.fetchone()[0]
print("BENCH-SEED " + json.dumps({
    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "cookie": settings.SESSION_COOKIE_NAME, "largest": largest["org"],
    "largest_level": largest["level"], "largest_tickets": largest_tickets,
    "tickets": tickets, "open": open_tickets, "clocks": clocks, "shares": shares,
    "answers": answers, "size_mb": round(size / 2 ** 20), "steps": steps,
    "seconds": round(time.perf_counter() - started, 1),
}))
"""

MEASURE = r"""
import json, os, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from servicedesk.accounts.models import User
from servicedesk.reports.access import ReportReader
from servicedesk.reports.compliance import compliance_report, compliance_scope
from servicedesk.reports.periods import parse_period

RUNS = int(os.environ["BENCH_RUNS"])
LARGEST = int(os.environ["BENCH_LARGEST"])
ZONE = "Europe/Amsterdam"
now = timezone.now()
local = timezone.localtime(now, timezone=__import__("zoneinfo").ZoneInfo(ZONE)).date()
quarter_index = (local.year * 4 + (local.month - 1) // 3) - 1  # the last complete quarter
code = f"{quarter_index // 4}-Q{quarter_index % 4 + 1}"
period = parse_period(code, time_zone=ZONE)
reader = ReportReader(organisation_id=None, internal=True, time_zone=ZONE)
result = {"quarter": code}


def timed(function, runs):
    function()  # warm-up: caches, and the pages PostgreSQL reads
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds)}


for name, organisation in (("one", LARGEST), ("all", None)):
    scope = compliance_scope(reader, organisation_id=organisation)
    run = lambda scope=scope: compliance_report(reader, period=period, scope=scope, now=now)
    result[f"compliance {name}"] = timed(run, RUNS)
    report = run()
    result[f"compliance {name} rows"] = len(report.customer_facing) + len(report.internal)
    result[f"compliance {name} measured"] = sum(
        r.measured for r in (*report.customer_facing, *report.internal))
    with CaptureQueriesContext(connection) as queries:
        run()
    result[f"compliance {name} queries"] = len(queries)
    if name == "all" or os.environ.get("BENCH_EXPLAIN_ONE"):
        for i, query in enumerate(queries.captured_queries):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"BENCH-EXPLAIN {name} {i}\n{query['sql']}\n{plan}\nBENCH-EXPLAIN-END",
                  flush=True)

try:
    from servicedesk.reviewpack.access import pack_reader
    from servicedesk.reviewpack.pack import review_pack
    from servicedesk.reviewpack.render import pack_pdf
except ImportError as error:
    result["pack"] = f"reviewpack missing ({error})"
else:
    manager = User.objects.get(username="manager")
    pack_for = pack_reader(manager, organisation_id=LARGEST, internal=False)
    sizes = []

    def make_pdf():
        pdf = pack_pdf(review_pack(pack_for, quarter=period, months=3, now=now))
        assert pdf.startswith(b"%PDF"), pdf[:20]
        sizes.append(len(pdf))

    result["pack"] = timed(make_pdf, max(1, RUNS // 2))
    result["pack bytes"] = sizes[-1]
    started = time.perf_counter()
    pack = review_pack(pack_for, quarter=period, months=3, now=now)
    result["pack data"] = time.perf_counter() - started

from django.core.cache import cache

client = Client()
client.force_login(User.objects.get(username="manager"))
client.get("/desk/dashboard/")
cache.clear()  # count the month's compliance too (kept a minute)
with CaptureQueriesContext(connection) as queries:
    response = client.get("/desk/dashboard/")
assert response.status_code == 200, response.status_code
result["dashboard queries"] = len(queries)
result["dashboard sql"] = [
    [round(float(q["time"]) * 1000, 1), q["sql"][:160]] for q in queries.captured_queries
]
from servicedesk.dashboard.access import dashboard_viewer
from servicedesk.dashboard.selectors import dashboard_figures

viewer = dashboard_viewer(User.objects.get(username="manager"))


def uncached():
    cache.clear()  # the month's compliance is kept a minute: count it too
    return dashboard_figures(viewer)


result["dashboard uncached"] = timed(uncached, RUNS)
result["dashboard cached"] = timed(lambda: dashboard_figures(viewer), RUNS)
figures = dashboard_figures(viewer)
result["dashboard figures"] = {
    "open": figures.open, "about_to_breach": figures.about_to_breach,
    "breached_open": figures.breached_open, "missed_today": figures.missed_today,
    "unassigned": figures.unassigned, "unassigned_late": figures.unassigned_late,
    "surveys": figures.satisfaction.count, "tnps": figures.satisfaction.tnps,
    "targets": len(figures.compliance),
}
print("BENCH-MEASURE " + json.dumps(result))
"""


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """GET on a kept-alive connection (reconnecting once, as gunicorn may close it); the
    status and the ETag."""
    for attempt in (1, 2):
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status, response.getheader("ETag") or ""
        except (OSError, http.client.HTTPException):
            conn.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def time_dashboard(
    port: int, headers: dict[str, str], warmup: int, requests: int, deadline: float
) -> dict[str, list[float]]:
    """Sequential GETs of the dashboard: the page, then its HTMX refresh sending the ETag
    of the previous answer, as the browser does (304 when no figure changed, 200 when one
    did: at 50,000 open tickets a warning or due time passes every few seconds)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    refresh = {**headers, "HX-Request": "true", "HX-Target": "dashboard-region"}
    results: dict[str, list[float]] = {"page": [], "refresh": [], "refresh 304": []}
    try:
        etag = ""
        for name in ("page", "refresh"):
            for i in range(warmup + requests):
                if time.monotonic() > deadline:
                    raise GlobalTimeout("no time left while requesting the dashboard")
                sent = headers if name == "page" else {**refresh, "If-None-Match": etag}
                started = time.perf_counter()
                status, tag = get(conn, "/desk/dashboard/", sent)
                elapsed = time.perf_counter() - started
                if status not in ((200,) if name == "page" else (200, 304)):
                    raise BenchError(f"GET /desk/dashboard/ ({name}) answered {status}")
                if name == "refresh":
                    if not tag:
                        raise BenchError("the dashboard's refresh answered without an ETag")
                    etag = tag
                if i >= warmup:
                    results[name].append(elapsed)
                    if status == 304:
                        results["refresh 304"].append(elapsed)
            log(f"dashboard {name}: p95 {percentile(results[name], 95) * 1000:.0f} ms")
    finally:
        conn.close()
    return results


def print_reports(measured: dict, suffix: str) -> None:
    """The compliance, pack and in-process dashboard figures of one MEASURE run."""
    for name, label in (("one", "one organisation"), ("all", "all organisations")):
        timing = measured[f"compliance {name}"]
        seconds(f"compliance quarter 1M ({label}){suffix}", timing["median"])
        seconds(f"compliance quarter 1M ({label}) max{suffix}", timing["max"])
        if not suffix:
            figure(
                f"compliance quarter 1M ({label}) queries", measured[f"compliance {name} queries"]
            )
            figure(
                f"compliance quarter 1M ({label}) measured", measured[f"compliance {name} measured"]
            )
    if isinstance(measured["pack"], dict):
        seconds(f"pack pdf{suffix}", measured["pack"]["median"])
        seconds(f"pack pdf data{suffix}", measured["pack data"])
        if not suffix:
            figure("pack pdf bytes", measured["pack bytes"])
    else:
        print(f"pack pdf: not measured ({measured['pack']})", flush=True)
    ms = 1000
    figure(
        f"dashboard figures uncached{suffix}", measured["dashboard uncached"]["median"] * ms, "ms"
    )
    figure(f"dashboard figures cached{suffix}", measured["dashboard cached"]["median"] * ms, "ms")


def seconds(name: str, value: float) -> None:
    print(f"{name}: {value:.3f} s", flush=True)


def load_average() -> str:
    with suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def run(args: argparse.Namespace, db: Database, deadline: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-bench-reports-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        DATABASE_URL=db.url,
        SERVICEDESK_DATA_DIR=str(tmp / "data"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DEBUG="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        TIME_ZONE="Europe/Amsterdam",
        BENCH_CLOSED=str(args.closed),
        BENCH_OPEN=str(args.open),
        BENCH_ORGS=str(args.orgs),
        BENCH_LEVELS=json.dumps(LEVELS),
        BENCH_RUNS=str(args.runs),
    )
    server = Server(env, tmp, args.port, args.workers)
    created_db = False
    try:
        log(f"database {db.name}: drop and create, migrate")
        db.recreate()
        created_db = True
        if args.jit_off:
            with db.connect() as conn:
                conn.execute(f'ALTER DATABASE "{db.name}" SET jit = off')
        run_command([servicedesk_command(), "migrate", "-v0"], env, tmp, 900, "migrate")
        log(f"seeding {args.closed} closed and {args.open} open tickets (INSERT ... SELECT)")
        left = max(deadline - time.monotonic(), 10)
        out = run_command([servicedesk_command(), "shell", "-c", SEED], env, tmp, left, "seed")
        seed = json.loads(out.split("BENCH-SEED ", 1)[1].splitlines()[0])
        log(
            f"seeded in {seed['seconds']} s ({seed['steps']}): {seed['tickets']} tickets, "
            f"{seed['open']} open, clocks {seed['clocks']}, {seed['shares']} shares, "
            f"{seed['answers']} survey answers, largest organisation {seed['largest_tickets']} "
            f"tickets ({seed['largest_level']}), database {seed['size_mb']} MB"
        )
        run_command(
            [servicedesk_command(), "collectstatic", "--noinput", "-v0"], env, tmp, 300, "static"
        )
        log(f"compliance, pack, dashboard queries (load average {load_average()})")
        env["BENCH_LARGEST"] = str(seed["largest"])
        left = max(deadline - time.monotonic(), 10)
        quiet = {**env, "LOG_LEVEL": "WARNING"}  # not WeasyPrint's progress
        out = run_command(
            [servicedesk_command(), "shell", "-c", MEASURE], quiet, tmp, left, "measure"
        )
        for block in out.split("BENCH-EXPLAIN ")[1:]:
            log("EXPLAIN " + block.split("BENCH-EXPLAIN-END", 1)[0].rstrip())
        measured = json.loads(out.split("BENCH-MEASURE ", 1)[1].splitlines()[0])
        log(f"dashboard statements: {measured['dashboard sql']}")
        log(f"dashboard figures: {measured['dashboard figures']}")
        log(f"serve: {args.workers} gunicorn workers on {HOST}:{args.port}")
        server.start(deadline)
        load_before = load_average()
        cookie = {"Cookie": f"{seed['cookie']}={seed['session']}"}
        latencies = time_dashboard(args.port, cookie, args.warmup, args.requests, deadline)
        load_after = load_average()
        server.stop()
        return {
            "seed": seed,
            "measured": measured,
            "latencies": latencies,
            "load": f"{load_before} / {load_after}",
        }
    finally:
        server.stop()
        db.release(created=created_db, keep=args.keep, log=log)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/servicedesk_bench_reports"
    )
    parser.add_argument("--closed", type=int, default=1_000_000, help="closed tickets")
    parser.add_argument("--open", type=int, default=50_000, help="open tickets")
    parser.add_argument("--orgs", type=int, default=200, help="organisations")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each report")
    parser.add_argument("--requests", type=int, default=100, help="timed dashboard requests")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted dashboard requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18190)
    parser.add_argument(
        "--jit-off", action="store_true", help="ALTER DATABASE ... SET jit = off (README advice)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--timeout", type=int, default=7200, help="give up after this many s")
    args = parser.parse_args(argv)
    if args.closed < 1000 or args.open < 100 or args.orgs < 1:
        parser.error("at least 1,000 closed and 100 open tickets, and one organisation")
    if args.runs < 1 or args.requests < 1 or args.warmup < 0:
        parser.error("--runs and --requests at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        db = Database.from_url(args.database_url)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not port_is_free(args.port):
        print(f"error: {HOST}:{args.port} is in use; pass --port", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.timeout
    log(f"load average at the start: {load_average()}")
    try:
        with time_limit(args.timeout, GlobalTimeout):
            result = run(args, db, deadline)
    except (BenchError, GlobalTimeout) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
    finally:
        with suppress(Exception):
            signal.signal(signal.SIGINT, signal.default_int_handler)
    seed, measured = result["seed"], result["measured"]
    figure("tickets", seed["tickets"])
    figure("open tickets", seed["open"])
    figure("clocks", sum(seed["clocks"].values()))
    figure("largest organisation", seed["largest_tickets"])
    figure("seed", float(seed["seconds"]), "s")
    print(f"quarter: {measured['quarter']}", flush=True)
    print_reports(measured, "")
    latencies = result["latencies"]
    page, refresh, unchanged = (latencies[k] for k in ("page", "refresh", "refresh 304"))
    figure("dashboard p95", percentile(page, 95) * 1000, "ms")
    figure("dashboard median", percentile(page, 50) * 1000, "ms")
    figure("dashboard max", max(page) * 1000, "ms")
    figure("dashboard refresh p95", percentile(refresh, 95) * 1000, "ms")
    figure("dashboard refresh answered 304", len(unchanged))
    figure("dashboard refresh 304 median", percentile(unchanged, 50) * 1000, "ms")
    figure("dashboard queries", measured["dashboard queries"])
    print(f"load average before / after the dashboard: {result['load']}", flush=True)
    figure("target compliance quarter (all organisations)", TARGET_COMPLIANCE_S, "s")
    figure("target pack pdf", TARGET_PDF_S, "s")
    figure("target dashboard p95", TARGET_DASHBOARD_MS, "ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
