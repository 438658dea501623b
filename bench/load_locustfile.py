"""The users of bench/load.py, for Locust: agents, customers, API clients and mail by LMTP.

Run by load.py (`locust -f bench/load_locustfile.py --headless ...`), which writes the plan
(a JSON file named by BENCH_LOAD_PLAN): the servers' addresses, the logins, tickets and
senders the seed made, and per kind of user how many there are, how many tasks a second
each runs (`constant_throughput`, so the total rate stays constant while answers are fast
enough) and the weight of each task. Every task makes one or two requests; the rates in
load.py are chosen so that all of them together make --rate requests a second.

Each user picks the next server in turn, so the users spread evenly over the servers.
Agents and customers sign in with a password (a session, CSRF) when they start; API
clients use a token. Then every user waits for the plan's `start_at` (load.py leaves
--login-time for the sign-ins), so that the load starts at once and is not slowed by
them. Mail users keep one LMTP connection each, and every message has a
unique Message-ID, written with its sender to the plan's `accepted` file once the server
answered 250. Every request is written to the plan's `record` file (start time, name,
milliseconds, ok) for load.py to compute the percentiles; a request that got an unexpected
answer is a failure, with its reason in the record.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import secrets
import smtplib
import time
from contextlib import suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from locust import HttpUser, User, constant_throughput, events
from locust.env import Environment

from api_create import make_bodies
from pages import pages as page_table

with open(os.environ["BENCH_LOAD_PLAN"]) as plan_file:
    PLAN: dict[str, Any] = json.load(plan_file)

HOSTS: list[str] = PLAN["hosts"]
DESK = "support@desk.example"
DESK_TICKET = re.compile(r'href="/desk/tickets/([A-Z]+-\d+)/"')
PORTAL_TICKET = re.compile(r'href="/portal/tickets/([A-Z]+-\d+)/"')
SELECT = re.compile(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
ERRORS = re.compile(r'class="errorlist[^"]*"[^>]*>\s*<li>([^<]{1,200})')
PAGES = page_table({"team": PLAN["team"], "numbers": PLAN["agent_numbers"]})
REFRESH_HEADERS = PAGES["refresh"][2]

_next_host = itertools.cycle(HOSTS)
_agents = itertools.cycle(PLAN["agents"])
_customers = itertools.cycle(PLAN["customers"])
_serial = itertools.count()
_senders = itertools.cycle(PLAN["senders"])  # in turn: see the seed in load.py
_mail_tickets = itertools.cycle(PLAN["mail_tickets"])
_record = open(PLAN["record"], "a", buffering=1 << 16)  # noqa: SIM115 (closed on quit)
_accepted = open(PLAN["accepted"], "a", buffering=1)  # noqa: SIM115 (line by line)


@events.request.add_listener
def _on_request(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: BaseException | None = None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    started = start_time if start_time else time.time() - response_time / 1000
    reason = "" if exception is None else f"{type(exception).__name__}: {exception}"[:300]
    row = [round(started, 3), name, round(response_time, 1), exception is None, reason]
    _record.write(json.dumps(row) + "\n")


@events.quitting.add_listener
def _on_quitting(environment: Environment, **kwargs: Any) -> None:
    _record.flush()
    _accepted.flush()


def weighted(kind: str, methods: dict[str, Any]) -> dict[Any, int]:
    """Return Locust's task table for a kind of user: each method with its weight."""
    weights: dict[str, int] = PLAN["users"][kind]["weights"]
    return {methods[name]: weight for name, weight in weights.items() if weight > 0}


def wait_for_start(kind: str) -> None:
    """Sleep until the plan's start (when every user has signed in), plus a random part of
    one task's interval, so that the users' tasks do not all fall on the same instants."""
    pace = PLAN["users"][kind]["pace"]
    time.sleep(max(0.0, PLAN["start_at"] - time.time()) + random.uniform(0, 1 / pace))


def options(html: str, field: str) -> list[str]:
    """Return the values of a <select name=field>'s options, the empty one left out."""
    for name, body in SELECT.findall(html):
        if name == field:
            return [value for value in OPTION.findall(body) if value]
    return []


class WebUser(HttpUser):
    """A person in a browser: signs in with a password, posts forms with the CSRF token."""

    abstract = True
    host = HOSTS[0]

    def __init__(self, environment: Environment) -> None:
        self.host = next(_next_host)
        super().__init__(environment)

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def get(self, path: str, name: str) -> str:
        """GET a page; a status other than 200 is a failure. Return the page ("" then)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
                return ""
            return str(response.text)

    def post(self, path: str, name: str, data: dict[str, str]) -> bool:
        """POST a form; anything but the redirect after success is a failure."""
        with self.client.post(
            path, data=data, name=name, headers=self.csrf(), allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                errors = ERRORS.findall(response.text)
                response.failure(f"{response.status_code} for {path}: {errors[:3]}")
                return False
            return True

    def login(self, username: str) -> None:
        self.get("/accounts/login/", "login form")
        self.post(
            "/accounts/login/",
            "login",
            {"username": username, "password": PLAN["password"], "next": "/"},
        )


class Agent(WebUser):
    """An agent: reads queues (also the HTMX refresh) and tickets, replies, moves tickets on.

    Replies and status changes go to the agent's own tickets (the "mine" queue), never to
    the tickets load.py watches for its scheduled actions (nobody signed in has those)."""

    fixed_count = PLAN["users"]["agent"]["count"]
    wait_time = constant_throughput(PLAN["users"]["agent"]["pace"])

    def on_start(self) -> None:
        self.mine: list[str] = []
        self.seen: list[str] = []
        self.etag = ""
        self.login(next(_agents))
        self.queue_mine()
        wait_for_start("agent")

    def queue_mine(self) -> None:
        html = self.get(PAGES["queue"][1], "desk queue mine")
        self.mine = DESK_TICKET.findall(html) or self.mine

    def queue_open(self) -> None:
        self.seen = DESK_TICKET.findall(self.get(PAGES["open"][1], "desk queue open")) or self.seen

    def queue_filtered(self) -> None:
        self.get(PAGES["filtered"][1], "desk queue filtered")

    def queue_refresh(self) -> None:
        """The queue page's 30-second refresh, with the ETag of the last answer as a browser
        sends it: 304 Not Modified when nothing shown has changed."""
        headers = {**REFRESH_HEADERS, "If-None-Match": self.etag} if self.etag else REFRESH_HEADERS
        with self.client.get(
            PAGES["refresh"][1],
            name="desk queue refresh (htmx)",
            headers=headers,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 304):
                response.failure(f"{response.status_code} for the refresh")
            elif response.status_code == 200:
                self.etag = response.headers.get("ETag", "")

    def search(self) -> None:
        self.get(PAGES["search"][1], "desk search")

    def ticket(self) -> None:
        pool = self.mine + self.seen
        if pool:
            self.get(f"/desk/tickets/{random.choice(pool)}/", "desk ticket")
        else:
            self.queue_mine()

    def reply(self) -> None:
        if not self.mine:
            return self.queue_mine()
        number = random.choice(self.mine)
        if self.get(f"/desk/tickets/{number}/", "desk ticket"):
            body = f"We looked into it: the report module needs a new index ({next(_serial)})."
            self.post(
                f"/desk/tickets/{number}/message/",
                "desk reply",
                {"visibility": "public", "body": body},
            )
        return None

    def status(self) -> None:
        if not self.mine:
            return self.queue_mine()
        number = random.choice(self.mine)
        html = self.get(f"/desk/tickets/{number}/", "desk ticket")
        targets = options(html, "status")
        if not targets:
            return None
        # Mostly work in progress and waiting; now and then an offered solution or a close.
        preferred = ["in_progress", "waiting_on_customer", "solution_offered", "closed"]
        weights = [5, 4, 2, 1]
        usable = [(t, w) for t, w in zip(preferred, weights, strict=True) if t in targets]
        if not usable:
            return None
        target = random.choices([t for t, _ in usable], [w for _, w in usable])[0]
        data = {"status": target, "note": "", "outcome": ""}
        if target in ("solution_offered", "closed"):
            data["note"] = "The index was added; the report runs in seconds again."
        if target == "closed":
            data["outcome"] = "solved"
            self.mine.remove(number)
        self.post(f"/desk/tickets/{number}/status/", "desk status", data)
        return None

    tasks = weighted(
        "agent",
        {
            "queue_mine": queue_mine,
            "queue_open": queue_open,
            "queue_filtered": queue_filtered,
            "queue_refresh": queue_refresh,
            "search": search,
            "ticket": ticket,
            "reply": reply,
            "status": status,
        },
    )


class Customer(WebUser):
    """A customer in the portal: lists and reads their tickets, reports, replies."""

    fixed_count = PLAN["users"]["customer"]["count"]
    wait_time = constant_throughput(PLAN["users"]["customer"]["pace"])

    def on_start(self) -> None:
        self.mine: list[str] = []
        self.login(next(_customers))
        self.tickets()
        wait_for_start("customer")

    def tickets(self) -> None:
        self.mine = PORTAL_TICKET.findall(self.get("/portal/", "portal tickets")) or self.mine

    def ticket(self) -> None:
        if not self.mine:
            return self.tickets()
        self.get(f"/portal/tickets/{random.choice(self.mine)}/", "portal ticket")
        return None

    def report(self) -> None:
        kind = random.choice(["incident", "question"])
        html = self.get(f"/portal/report/{kind}/", "portal report form")
        products = options(html, "product")
        if not html or not products:
            return
        n = next(_serial)
        data = {"title": f"Exports to Excel are empty ({n})", "product": random.choice(products)}
        if kind == "incident":
            data |= {
                "steps_taken": "Opened the sales report, chose Export, opened the file.",
                "expected_result": "The rows of the report in the sheet.",
                "actual_result": "An empty sheet with only the headings.",
                "reproducible": "yes",
                "administration": "Main company",
                "affected_users": "Everyone in sales",
                "business_impact": "We cannot send the weekly figures.",
                "impact": "medium",
                "urgency": "medium",
            }
        else:
            data |= {"description": f"How do we add a user to the sales team? ({n})"}
        self.post(f"/portal/report/{kind}/", f"portal report {kind}", data)

    def reply(self) -> None:
        if not self.mine:
            return self.tickets()
        number = random.choice(self.mine)
        if self.get(f"/portal/tickets/{number}/", "portal ticket"):
            body = f"Here is the information you asked for: it happens every morning ({number})."
            self.post(f"/portal/tickets/{number}/reply/", "portal reply", {"body": body})
        return None

    tasks = weighted(
        "customer", {"tickets": tickets, "ticket": ticket, "report": report, "reply": reply}
    )


class ApiClient(HttpUser):
    """An integration with an API token: lists tickets, reads one, creates them."""

    fixed_count = PLAN["users"]["api"]["count"]
    wait_time = constant_throughput(PLAN["users"]["api"]["pace"])
    host = HOSTS[0]

    def __init__(self, environment: Environment) -> None:
        self.host = next(_next_host)
        super().__init__(environment)
        self.client.headers.update(
            {"Authorization": f"Token {PLAN['token']}", "Accept": "application/json"}
        )
        self.numbers: list[str] = []

    def on_start(self) -> None:
        self.list_tickets()
        wait_for_start("api")

    def list_tickets(self) -> None:
        page = random.choice(["", "?page=2", "?status=in_progress", "?priority=sev2"])
        with self.client.get(
            f"/api/v1/tickets/{page}", name="api list", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            results = response.json().get("results", [])
            self.numbers = [row["number"] for row in results if "number" in row] or self.numbers

    def detail(self) -> None:
        if not self.numbers:
            return self.list_tickets()
        number = random.choice(self.numbers)
        with self.client.get(
            f"/api/v1/tickets/{number}", name="api ticket", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
        return None

    def create(self) -> None:
        body = make_bodies(1, next(_serial), PLAN["contacts"], PLAN["products"])[0]
        with self.client.post(
            "/api/v1/tickets/",
            data=body,
            headers={"Content-Type": "application/json"},
            name="api create",
            catch_response=True,
        ) as response:
            if response.status_code != 201 or b'"number"' not in response.content:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    tasks = weighted("api", {"list": list_tickets, "detail": detail, "create": create})


class Mail(User):
    """An MTA delivering to `servicedesk mail_lmtp`: new reports and replies by subject."""

    fixed_count = PLAN["users"]["mail"]["count"]
    wait_time = constant_throughput(PLAN["users"]["mail"]["pace"])

    def on_start(self) -> None:
        self.conn: smtplib.LMTP | None = None
        wait_for_start("mail")

    def on_stop(self) -> None:
        if self.conn is not None:
            with suppress(smtplib.SMTPException, OSError):
                self.conn.quit()

    def send(self, name: str, sender: str, subject: str, text: str) -> None:
        n = next(_serial)
        message_id = f"load-{n}.{secrets.token_hex(6)}@mail.{sender.split('@')[1]}"
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = DESK
        msg["Subject"] = subject
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = f"<{message_id}>"
        msg.set_content(text)
        raw = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        started = time.time()
        clock = time.perf_counter()
        exception: BaseException | None = None
        try:
            if self.conn is None:
                self.conn = smtplib.LMTP(PLAN["lmtp_host"], PLAN["lmtp_port"])
            refused = self.conn.sendmail(sender, [DESK], raw)
            if refused:
                exception = RuntimeError(f"refused: {refused}")
        except (smtplib.SMTPException, OSError) as error:
            exception = error
            self.conn = None  # reconnect for the next message
        elapsed = (time.perf_counter() - clock) * 1000
        if exception is None:
            _accepted.write(json.dumps([message_id, sender]) + "\n")
        events.request.fire(
            request_type="LMTP",
            name=name,
            response_time=elapsed,
            response_length=len(raw),
            exception=exception,
            start_time=started,
            context={},
        )

    def new_report(self) -> None:
        sender = next(_senders)
        n = next(_serial)
        text = (
            "Hello,\n\nSince this morning the invoice run stops halfway with an error.\n"
            f"We started it again, without result (run {n}).\n\nKind regards,\n{sender}\n"
        )
        self.send("mail new report", sender, f"Invoice run stops ({n})", text)

    def reply(self) -> None:
        number, sender = next(_mail_tickets)
        text = "Thank you, we tried it: the error is still there.\n\n> Earlier text\n"
        self.send("mail reply", sender, f"Re: [{number}] Bench ticket", text)

    tasks = weighted("mail", {"new_report": new_report, "reply": reply})
