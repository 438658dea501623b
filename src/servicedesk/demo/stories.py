"""Tell each demo ticket's story through the ticket services, with `now=` in the past.

All stories are planned first: who reports what, which steps lead to the planned final
status, and when each step happens (in office hours for staff). A story longer than the
time since its ticket was created starts earlier instead. Then the stories are told in
order of creation, so ticket numbers follow time and links point back to existing tickets.
"""

import datetime
import random
from collections.abc import Callable

from servicedesk.accounts.models import Contact, Supplier, User
from servicedesk.demo import conversation, data
from servicedesk.demo.plans import DAY, MINUTE, Plan, plan_tickets, weighted, working_time
from servicedesk.demo.reference import Desk
from servicedesk.demo.templates import (
    AFFECTED,
    IMPACT,
    OUTAGE,
    RECENT_CHANGES,
    SPLIT_PREFIX,
    TEMPLATES,
)
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Kind, Level, LinkKind, Status, Ticket, Visibility

HOSTING_PRODUCTS = frozenset({"hosting", "backup", "sso"})
CHANNEL_WEIGHTS: dict[str, int] = {
    Channel.PORTAL: 50,
    Channel.EMAIL: 30,
    Channel.PHONE: 12,
    Channel.API: 8,
}
OLDEST = 125 * DAY  # a story that needs more time than this is squeezed instead

Step = Callable[[datetime.datetime], None]


class Story:
    """One ticket's history: planned steps (`build`), then told through the services (`tell`).

    Steps capture the handling agent when they are planned, so a hand-over changes who
    acts in the steps after it.
    """

    def __init__(
        self,
        desk: Desk,
        plan: Plan,
        *,
        rng: random.Random,
        now: datetime.datetime,
        earlier: list["Story"],
        outages: dict[int, "Story"],
    ) -> None:
        self.desk, self.plan, self.rng, self.now = desk, plan, rng, now
        self.customer = plan.customer
        self.earlier = earlier  # stories of the same customer planned before this one
        self.outages = outages
        self.steps: list[tuple[float, bool, Step]] = []  # (minutes after previous, office?)
        self.times: list[datetime.datetime] = []
        self.ticket: Ticket | None = None
        self.parent: Story | None = None
        self._choose_subject()
        self.agent, self.team_name, self.line = self._handler()

    # -- who and what ------------------------------------------------------------------

    def _choose_subject(self) -> None:
        plan, rng, customer = self.plan, self.rng, self.customer
        kinds = [t for t in TEMPLATES if t.kind == plan.kind]
        if plan.special == "outage":
            self.template = OUTAGE
            self.product = next(p for p in customer.products if p.code == "hosting")
        else:
            if plan.special == "split" and self.earlier:
                self.parent = rng.choice(self.earlier[-20:])
            if self.parent is not None:
                product = self.parent.product
                pairs = [(t, product) for t in kinds if product.code in t.products]
                pairs = pairs or [(t, product) for t in kinds]
            else:
                codes = {p.code: p for p in customer.products}
                pairs = [(t, codes[c]) for t in kinds for c in t.products if c in codes]
                if not pairs:
                    any_product = rng.choice(customer.products)
                    pairs = [(t, any_product) for t in kinds]
            if plan.status == Status.NEW and plan.kind == Kind.INCIDENT:
                # A new incident stays new only when complete: the check asks for the steps.
                pairs = [(t, p) for t, p in pairs if t.steps] or pairs
            self.template, self.product = rng.choice(pairs)
        self.requester = self._requester()
        self.lang = self.requester.language
        self.channel = weighted(rng, CHANNEL_WEIGHTS)
        if customer.spec.seed == "004" and self.channel == Channel.EMAIL:
            self.channel = Channel.PORTAL  # seed 004: use the ticket system, not e-mail
        if self.parent is not None:
            self.channel = Channel.PORTAL

    def _requester(self) -> Contact:
        if self.parent is not None:
            return self.parent.requester
        allowed = [c for c in self.customer.contacts if self.customer.may_report(c, self.product)]
        if self.plan.special == "outage":
            allowed = [c for c in allowed if c.is_cpc] or allowed
        return self.rng.choice(allowed)

    def _handler(self) -> tuple[User, str, int]:
        staff, rng = self.desk.staff, self.rng
        if self.plan.special == "outage":
            return staff["lucas.jansen"], data.HOSTING_TEAM, 2
        if self.plan.kind == Kind.COMPLAINT:
            return staff["ingrid.vandijk"], data.APPLICATION_SUPPORT, 2
        if self.lang == "fr" and rng.random() < 0.8:
            return staff["camille.dubois"], data.APPLICATION_SUPPORT, 2
        if self.product.code in HOSTING_PRODUCTS:
            return staff[rng.choice(["lucas.jansen", "thomas.bakker"])], data.HOSTING_TEAM, 2
        if self.plan.kind == Kind.QUESTION and rng.random() < 0.5:
            return staff[rng.choice(["emma.visser", "camille.dubois"])], data.CUSTOMER_SERVICES, 1
        name = rng.choice([data.DEMO_AGENT, data.DEMO_AGENT, "thomas.bakker"])
        return staff[name], data.APPLICATION_SUPPORT, 2

    def _supplier(self) -> tuple[Supplier, str]:
        """Return the supplier that fixes the product, and a new reference at that supplier."""
        spec, supplier = next(
            ((s, row) for s, row in self.desk.suppliers if self.product.code in s.products),
            self.desk.suppliers[0],
        )
        return supplier, spec.reference_format.format(n=self.rng.randrange(10_000, 9_999_999))

    def _phrase(self, key: str) -> str:
        options = conversation.PHRASES[key].get(self.lang) or conversation.PHRASES[key]["en"]
        return self.rng.choice(options)

    def _t(self) -> Ticket:
        assert self.ticket is not None, "the ticket is created by the first step"
        return self.ticket

    # -- steps -------------------------------------------------------------------------

    def at(self, minutes: float, step: Step, *, office: bool = True) -> None:
        """Plan a step `minutes` after the previous one (for staff: moved into office hours)."""
        self.steps.append((minutes, office, step))

    def soon(self) -> float:
        return self.rng.uniform(5, 90)

    def hours(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) * 60

    def days(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) * 1440

    def create(self, at: datetime.datetime) -> None:
        """Create the ticket (the first step of every story)."""
        template, lang, rng = self.template, self.lang, self.rng
        title = template.title.get(lang) or template.title["en"]
        if self.parent is not None:
            prefix = SPLIT_PREFIX.get(lang) or SPLIT_PREFIX["en"]
            title = f"{prefix} {self.parent._t().number}: {title}"
        details = {"description": template.description.get(lang) or template.description["en"]}
        impact = urgency = ""
        if self.plan.kind == Kind.INCIDENT:
            steps = template.steps.get(lang) or template.steps.get("en")
            if steps:
                details["steps_taken"], details["expected_result"], details["actual_result"] = steps
            details["reproducible"] = rng.choice(["yes", "yes", "no", "unknown"])
            details["administration"] = f"{self.customer.organisation.name} (01)"
            pick = rng.randrange(3)
            details["affected_users"] = (AFFECTED.get(lang) or AFFECTED["en"])[pick]
            details["business_impact"] = (IMPACT.get(lang) or IMPACT["en"])[pick]
            details["recent_changes"] = rng.choice(RECENT_CHANGES.get(lang) or RECENT_CHANGES["en"])
            impact = [Level.LOW, Level.MEDIUM, Level.HIGH][pick]
            urgency = rng.choice([Level.HIGH, Level.MEDIUM, Level.LOW])
        elif self.plan.kind in (Kind.CHANGE_REQUEST, Kind.APPLICATION_SERVICE):
            # What the completeness check asks of these kinds (seed 003).
            details["administration"] = f"{self.customer.organisation.name} (01)"
            details["business_impact"] = (IMPACT.get(lang) or IMPACT["en"])[rng.randrange(3)]
        codes = self.customer.scheme.codes()
        requested = ""
        if self.plan.special == "outage":
            impact = urgency = Level.HIGH
            requested = codes[0] if self.channel == Channel.PORTAL else ""
        elif self.channel == Channel.PORTAL and rng.random() < 0.45:
            # Customers who propose a priority mostly pick one of the middle ones.
            weights = [1 if i in (0, len(codes) - 1) else 3 for i in range(len(codes))]
            requested = rng.choices(codes, weights=weights)[0]
        recorded = self.parent is not None or self.channel == Channel.PHONE
        self.ticket = services.ticket_create(
            requester=self.requester,
            title=title[:200],
            kind=self.plan.kind,
            channel=self.channel,
            product=self.product,
            impact=impact,
            urgency=urgency,
            requested_priority=requested,
            details=details,
            actor=self.agent if recorded else self.requester.user,
            now=at,
        )

    def reply(self, key: str, *, about: "Story | None" = None, **values: str) -> Step:
        """Return a step in which the handling agent writes a public reply."""
        agent, text = self.agent, self._phrase(key)
        first = self.requester.name.split()[0]

        def step(at: datetime.datetime) -> None:
            number = about._t().number if about is not None else ""
            body = text.format(first=first, agent=agent.first_name, number=number, **values)
            services.ticket_add_message(
                ticket=self._t(), body=body, author=agent, workaround=key == "workaround", now=at
            )

        return step

    def customer_says(self, key: str) -> Step:
        """Return a step in which the requester replies (by mail if the ticket came by mail)."""
        text = self._phrase(key)

        def step(at: datetime.datetime) -> None:
            services.ticket_add_message(
                ticket=self._t(),
                body=text,
                author=self.requester.user,
                contact=self.requester,
                channel=Channel.EMAIL if self.channel == Channel.EMAIL else Channel.PORTAL,
                now=at,
            )

        return step

    def note(
        self, key: str, *, author: User | None = None, about: "Story | None" = None, **values: str
    ) -> Step:
        """Return a step in which staff write an internal note."""
        writer, text = author or self.agent, self.rng.choice(conversation.NOTES[key])

        def step(at: datetime.datetime) -> None:
            number = about._t().number if about is not None else ""
            services.ticket_add_message(
                ticket=self._t(),
                body=text.format(number=number, **values),
                author=writer,
                visibility=Visibility.INTERNAL,
                now=at,
            )

        return step

    def top_priority_note(self) -> Step:
        """Return a step noting that the service manager knows, if the priority is the top one."""
        agent = self.agent

        def step(at: datetime.datetime) -> None:
            ticket = self._t()
            if ticket.priority_rank == 1:
                services.ticket_add_message(
                    ticket=ticket,
                    body=conversation.NOTES["sev1"][0],
                    author=agent,
                    visibility=Visibility.INTERNAL,
                    now=at,
                )

        return step

    def move(
        self,
        status: str,
        note: str = "",
        *,
        system: bool = False,
        by_customer: bool = False,
        about: "Story | None" = None,
    ) -> Step:
        """Return a step that moves the ticket to a status (by staff, customer or system)."""
        actor = None if system else self.requester.user if by_customer else self.agent

        def step(at: datetime.datetime) -> None:
            text = note.format(number=about._t().number) if about is not None else note
            services.ticket_transition(
                ticket=self._t(), actor=actor, status=status, note=text, now=at
            )

        return step

    def assign(self, agent: User | None, team: str, line: int) -> Step:
        """Return a step assigning agent, team and line; later steps act as that agent."""
        # The current handler hands over; without an agent, the team lead dispatches.
        actor = (self.desk.teams[team].lead or self.agent) if agent is None else self.agent
        if agent is not None:
            self.agent, self.team_name, self.line = agent, team, line

        def step(at: datetime.datetime) -> None:
            services.ticket_assign(
                ticket=self._t(),
                actor=actor,
                assignee=agent,
                team=self.desk.teams[team],
                support_line=line,
                now=at,
            )

        return step

    def reprioritise(self, direction: int, reason: str = "") -> Step:
        """Return a step moving the priority `direction` places (negative: more urgent)."""
        agent = self.agent
        raise_why = reason or self.rng.choice(conversation.RAISE)
        lower_why = reason or self.rng.choice(conversation.LOWER)

        def step(at: datetime.datetime) -> None:
            ticket = self._t()
            codes = self.customer.scheme.codes()
            index = codes.index(ticket.priority) if ticket.priority in codes else len(codes) // 2
            target = min(max(index + direction, 0), len(codes) - 1)
            if target != index:
                services.ticket_change_priority(
                    ticket=ticket,
                    actor=agent,
                    priority=codes[target],
                    justification=raise_why if target < index else lower_why,
                    now=at,
                )

        return step

    def link(self, target: "Story", kind: str) -> Step:
        agent = self.agent

        def step(at: datetime.datetime) -> None:
            services.ticket_link(
                ticket=self._t(), target=target._t(), kind=kind, actor=agent, now=at
            )

        return step

    def handover_to_supplier(self) -> tuple[Supplier, str]:
        """Plan the hand-over to the product's supplier (line 3); return it and the reference."""
        supplier, reference = self._supplier()
        agent = self.agent
        noted = self.note("supplier", supplier=supplier.name, reference=reference)
        self.at(self.hours(1, 6), noted)
        self.at(1, self.assign(agent, self.team_name, 3))

        def step(at: datetime.datetime) -> None:
            services.ticket_transition(
                ticket=self._t(),
                actor=agent,
                status=Status.WAITING_ON_SUPPLIER,
                supplier=supplier,
                supplier_reference=reference,
                note=f"Forwarded to {supplier.name}.",
                now=at,
            )

        self.at(1, step)
        self.at(self.soon(), self.reply("supplier", supplier=supplier.name, reference=reference))
        return supplier, reference

    # -- the story ---------------------------------------------------------------------

    def build(self) -> None:
        """Plan the steps that lead to the plan's final status."""
        plan, rng = self.plan, self.rng
        self.at(0, self.create)
        if plan.special == "outage":
            self._outage()
            return
        if plan.special == "duplicate" and self.earlier:
            self._duplicate()
            return
        if self.parent is not None:
            self.at(0.5, self.link(self.parent, LinkKind.SPLIT_FROM))
            self.at(0.5, self.note("split", about=self.parent))
        final = plan.status
        if final == Status.NEW:
            if rng.random() < 0.4:
                self.at(self.hours(1, 20), self.customer_says("nudge"), office=False)
            if rng.random() < 0.3:
                self.at(self.soon(), self.assign(None, self.team_name, self.line))
            return
        self._triage()
        if final == Status.IN_PROGRESS:
            self._work()
        elif final == Status.WAITING_ON_CUSTOMER:
            self._work(light=True)
            self._ask()
        elif final == Status.WAITING_ON_SUPPLIER:
            self._work(light=True)
            self.handover_to_supplier()
        elif final == Status.PARKED:
            self._park()
        elif final == Status.SOLUTION_OFFERED:
            self._work()
            self._offer()
        elif final == Status.CLOSED:
            self._close()
        elif final == Status.REOPENED:
            self._work(light=True)
            self._offer()
            self._confirm_and_close()
            self._reopen()

    def _triage(self) -> None:
        self.at(self.hours(0.1, 3), self.assign(self.agent, self.team_name, self.line))
        if self.rng.random() < 0.35:
            self.at(1, self.reprioritise(self.rng.choice([-1, 1])))
        self.at(1, self.move(Status.IN_PROGRESS))
        self.at(self.soon(), self.reply("complaint" if self.plan.kind == Kind.COMPLAINT else "ack"))
        self.at(2, self.top_priority_note())

    def _work(self, *, light: bool = False) -> None:
        rng, kind, staff = self.rng, self.plan.kind, self.desk.staff
        if rng.random() < 0.35:
            self._ask()
            self.at(self.hours(2, 40), self.customer_says("info"), office=False)
            self.at(self.soon(), self.move(Status.IN_PROGRESS))
        if rng.random() < 0.5:
            self.at(self.hours(0.5, 6), self.note("investigate"))
        if light:
            return
        if rng.random() < 0.15:  # several handlers in turn is normal (seed 004)
            team = next(t for t in data.TEAMS if t.name == self.team_name)
            others = [m for m in team.members if m != self.agent.username] or [team.lead]
            other = staff[rng.choice(others)]
            self.at(self.hours(1, 24), self.note("handover", agent=other.first_name))
            self.at(1, self.assign(other, self.team_name, self.line))
        if kind == Kind.INCIDENT and rng.random() < 0.25:  # a product defect goes to line 3
            developer = staff[rng.choice(["daan.mulder", "pieter.smit", "julie.martin"])]
            self.at(self.hours(1, 8), self.note("escalate"))
            self.at(1, self.assign(developer, data.DEVELOPMENT, 3))
            if rng.random() < 0.5:
                self.at(self.hours(2, 48), self.reply("workaround"))
            self.at(self.days(1, 4), self.note("hotfix"))
        billable = self.customer.spec.seed == "004" or kind == Kind.APPLICATION_SERVICE
        if billable and rng.random() < 0.3:
            self.at(self.hours(1, 4), self.note("billable"))

    def _ask(self) -> None:
        self.at(self.hours(0.5, 8), self.reply("ask_info"))
        waiting = self.rng.choice(conversation.WAITING_NOTES)
        self.at(1, self.move(Status.WAITING_ON_CUSTOMER, waiting))

    def _offer(self, note: str = "") -> None:
        self.at(self.hours(1, 30), self.reply("solution"))
        note = note or self.rng.choice(conversation.SOLUTION_NOTES)
        self.at(1, self.move(Status.SOLUTION_OFFERED, note))

    def _confirm_and_close(self) -> None:
        self.at(self.hours(1, 48), self.customer_says("confirm"), office=False)
        confirmed = conversation.CLOSE_NOTES["confirmed"]
        self.at(self.hours(0.2, 5), self.move(Status.CLOSED, confirmed))

    def _reopen(self) -> None:
        self.at(self.days(1, 6), self.customer_says("reopen"), office=False)
        note = "The customer replied to the closed ticket."
        self.at(0.2, self.move(Status.REOPENED, note, by_customer=True), office=False)

    def _park(self) -> None:
        self.at(self.hours(1, 24), self.note("parked"))
        self.at(1, self.reply("parked"))
        self.at(1, self.move(Status.PARKED, "Awaiting the product owner's decision."))

    def _close(self) -> None:
        rng, kind, notes = self.rng, self.plan.kind, conversation.CLOSE_NOTES
        if rng.random() < 0.1:  # solved, reopened by a reply, then solved again
            self._work(light=True)
            self._offer()
            self._confirm_and_close()
            self._reopen()
            self.at(self.hours(1, 6), self.move(Status.IN_PROGRESS))
        if kind == Kind.COMPLAINT:
            self.at(self.days(1, 3), self.move(Status.CLOSED, notes["complaint"]))
            return
        if kind == Kind.CHANGE_REQUEST:
            self._close_change()
            return
        way = rng.random()
        if kind == Kind.QUESTION and way < 0.5:
            self._work(light=True)
            self.at(self.hours(1, 24), self.reply("solution"))
            self.at(1, self.move(Status.CLOSED, notes["answered"]))
        elif way < 0.1 or (self.customer.spec.seed == "004" and way < 0.25):
            self._work(light=True)  # billable consultancy: planning takes it from here (002)
            self.at(self.hours(1, 24), self.reply("planning"))
            self.at(1, self.move(Status.CLOSED, notes["planning"]))
        elif kind == Kind.INCIDENT and way < 0.3:
            self._work(light=True)
            supplier, reference = self.handover_to_supplier()
            fixed = f"{supplier.name} delivered a fix under {reference}."
            self.at(self.days(1, 10), self.move(Status.IN_PROGRESS, fixed))
            self._offer()
            self._confirm_and_close()
        elif way < 0.4:  # no reaction: closed automatically after three weeks (002)
            self._work(light=True)
            self._ask()
            close = self.move(Status.CLOSED, notes["auto_waiting"], system=True)
            self.at(self.days(21, 21.2), close, office=False)
        elif way < 0.5:
            self._work()
            self._offer()
            close = self.move(Status.CLOSED, notes["auto_solution"], system=True)
            self.at(self.days(21, 21.2), close, office=False)
        else:
            self._work()
            self._offer()
            self._confirm_and_close()

    def _close_change(self) -> None:
        """Plan a change request's way to closed: rejected, or proposed, accepted, released."""
        way, notes = self.rng.random(), conversation.CLOSE_NOTES
        if way < 0.3:
            self._park()
            self.at(self.days(3, 15), self.move(Status.CLOSED, notes["rejected"]))
            return
        if way < 0.6:
            self._park()
            self.at(self.days(3, 15), self.move(Status.IN_PROGRESS))
        self.at(self.hours(4, 48), self.reply("proposal"))
        self.at(self.days(1, 5), self.customer_says("accept"), office=False)
        self.at(self.days(5, 20), self.reply("solution"))
        self.at(1, self.move(Status.SOLUTION_OFFERED, notes["released"]))
        self._confirm_and_close()

    def _duplicate(self) -> None:
        same = [s for s in self.earlier if s.product.pk == self.product.pk] or self.earlier
        original = self.rng.choice(same[-15:])
        closed = conversation.CLOSE_NOTES["duplicate"]
        self.at(self.hours(0.2, 4), self.assign(self.agent, self.team_name, self.line))
        self.at(1, self.note("duplicate", about=original))
        self.at(1, self.link(original, LinkKind.DUPLICATE_OF))
        self.at(2, self.reply("duplicate", about=original))
        self.at(1, self.move(Status.CLOSED, closed, about=original))

    def _outage(self) -> None:
        plan = self.plan
        main = self.outages.get(plan.outage)
        why = "Outage: all users of the platform are affected."
        self.at(self.rng.uniform(3, 12), self.assign(self.agent, data.HOSTING_TEAM, 2))
        self.at(0.5, self.reprioritise(-9, why))
        self.at(0.5, self.move(Status.IN_PROGRESS))
        if main is not None:
            self.at(0.5, self.link(main, LinkKind.RELATED))
            self.at(0.5, self.note("outage", about=main))
        self.at(2, self.reply("outage"))
        if plan.outage_main:
            self.outages[plan.outage] = self
            manager = self.desk.staff["ingrid.vandijk"]
            self.at(self.rng.uniform(10, 30), self.note("sev1", author=manager))
            self.handover_to_supplier()
        if plan.status != Status.CLOSED:
            return
        if plan.outage_main:
            self.at(self.hours(2, 3), self.move(Status.IN_PROGRESS))
        self.at(5 if plan.outage_main else self.hours(2.5, 3.5), self.reply("solution"))
        outage = conversation.CLOSE_NOTES["outage"]
        self.at(1, self.move(Status.SOLUTION_OFFERED, outage))
        self._confirm_and_close()

    # -- timing and telling ------------------------------------------------------------

    def _schedule(self, start: datetime.datetime) -> list[datetime.datetime]:
        moment, times = start, []
        for minutes, office, _ in self.steps:
            moment += minutes * MINUTE
            if office and minutes > 2:
                moment = working_time(moment, self.rng)
            times.append(moment)
        return times

    def plan_times(self) -> None:
        """Build the story and give each step its moment, all before `now`."""
        self.build()
        latest = self.now - 5 * MINUTE
        times = self._schedule(self.plan.created_at)
        # Move an ordinary story that runs past `now` back in time; linked ones stay put,
        # so what they link to keeps coming first.
        for _ in range(4):
            overflow = times[-1] - latest
            if overflow <= datetime.timedelta(0) or self.plan.special:
                break
            start = self.plan.created_at - overflow - self.rng.uniform(0.2, 2) * DAY
            if start < self.now - OLDEST:
                break
            self.plan.created_at = start
            times = self._schedule(start)
        if times[-1] > latest:  # still too long: squeeze it into the time there is
            start = times[0]
            scale = (latest - start) / (times[-1] - start)
            times = [start + (t - start) * scale for t in times]
        self.times = times

    def tell(self) -> Ticket:
        """Run the planned steps through the services, in order; return the ticket."""
        for moment, (_, _, step) in zip(self.times, self.steps, strict=True):
            step(moment)
        return self._t()


def generate_tickets(
    desk: Desk, *, count: int, rng: random.Random, now: datetime.datetime
) -> list[Ticket]:
    """Create `count` tickets with their histories; return them in order of creation."""
    earlier: dict[str, list[Story]] = {}
    outages: dict[int, Story] = {}
    stories = []
    for plan in plan_tickets(desk, count=count, rng=rng, now=now):
        same_customer = earlier.setdefault(plan.customer.organisation.code, [])
        story = Story(desk, plan, rng=rng, now=now, earlier=same_customer, outages=outages)
        story.plan_times()
        same_customer.append(story)
        stories.append(story)
    stories.sort(key=lambda story: story.times[0])
    return [story.tell() for story in stories]
