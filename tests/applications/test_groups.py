"""Group trips: joint groups (invite, answer, each union adds its own members), the open-seats
board, entrusting an agency (which then sees exactly its trips), cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Notification, OrgKind, Role
from applications import permissions, selectors, services
from applications.models import (
    Application,
    GroupParticipant,
    GroupTrip,
    ParticipantStatus,
    Settlement,
    Status,
)
from bases.models import Batch
from funds.selectors import utilization
from tests.applications.conftest import after_departure, pdf_upload
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(tree):
    return tree.user("organizer_a1")


@pytest.fixture
def joint(trip, tree, lead):
    return services.group_trip_create(
        batch=trip.batch, organizer=tree.union_a1, seats=6, joint=True, by=lead, title="联合团"
    )


def seats(batch: Batch) -> tuple[int, int]:
    batch = Batch.objects.get(pk=batch.pk)
    return batch.seats_held, selectors.seats_accounted(batch)


class TestCreate:
    def test_the_lead_union_takes_part_and_the_block_is_held(self, joint, trip, tree, lead):
        lead_row = GroupParticipant.objects.get(group_trip=joint)
        assert (lead_row.union, lead_row.status, lead_row.lead) == (tree.union_a1, "joined", True)
        assert seats(trip.batch) == (6, 6)
        assert joint.title == "联合团"

    def test_a_default_title(self, trip, tree):
        group = services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a1, seats=1, by=None
        )
        assert group.title == f"{tree.union_a1.name} · {trip.itinerary.title}"

    @pytest.mark.parametrize("seats_wanted", [0, -1, 1001])
    def test_block_size_out_of_range(self, seats_wanted, trip, tree):
        with pytest.raises(services.ApplicationRefused, match="between 1 and 1000"):
            services.group_trip_create(
                batch=trip.batch, organizer=tree.union_a1, seats=seats_wanted, by=None
            )

    def test_only_grassroots_unions_organise_and_only_agencies_are_entrusted(self, trip, tree):
        with pytest.raises(services.ApplicationRefused, match="grassroots"):
            services.group_trip_create(batch=trip.batch, organizer=tree.county_a, seats=2, by=None)
        with pytest.raises(services.ApplicationRefused, match="travel agency"):
            services.group_trip_create(
                batch=trip.batch, organizer=tree.union_a1, seats=2, by=None, agency=tree.operator
            )
        assert not GroupTrip.objects.exists() and seats(trip.batch) == (0, 0)

    def test_not_after_the_deadline(self, trip, tree):
        with pytest.raises(services.ApplicationRefused, match="deadline"):
            services.group_trip_create(
                batch=trip.batch,
                organizer=tree.union_a1,
                seats=2,
                by=None,
                today=trip.batch.signup_deadline + timedelta(days=1),
            )

    def test_not_while_a_lottery_is_pending(self, trip, tree):
        """The seats of a batch allocated by lottery are drawn, not taken first come."""
        services.lottery_announce(batch=trip.batch, by=None)
        with pytest.raises(services.ApplicationRefused, match="lottery"):
            services.group_trip_create(batch=trip.batch, organizer=tree.union_a1, seats=2, by=None)
        assert seats(trip.batch) == (0, 0)

    def test_update_title_and_note(self, joint, lead):
        services.group_trip_update(group_trip=joint, by=lead, title=" 新名字 ", note="备注")
        joint.refresh_from_db()
        assert (joint.title, joint.note) == ("新名字", "备注")
        with pytest.raises(services.ApplicationRefused, match="title"):
            services.group_trip_update(group_trip=joint, by=lead, title="  ")
        joint.refresh_from_db()
        assert joint.title == "新名字"


class TestJointGroup:
    def test_invite_accept_and_add_own_members(self, joint, tree, lead, make_worker):
        invitation = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        assert invitation.status == ParticipantStatus.INVITED
        assert Notification.objects.filter(user=tree.user("organizer_b1")).exists()
        # Invited is not yet taking part.
        worker_b = make_worker(union=tree.union_b1)
        with pytest.raises(services.ApplicationRefused, match="does not take part"):
            services.roster_add(group_trip=joint, worker=worker_b, union=tree.union_b1, by=None)
        services.group_respond(participant=invitation, accept=True, by=tree.user("organizer_b1"))
        assert Notification.objects.filter(user=lead, subject__contains=tree.union_b1.name).exists()
        app = services.roster_add(group_trip=joint, worker=worker_b, union=tree.union_b1, by=None)
        assert (app.status, app.union, app.group_trip) == (Status.SUBMITTED, tree.union_b1, joint)
        assert app.funding_org == tree.county_b  # each member's own federation pays
        with pytest.raises(services.ApplicationRefused, match="already answered"):
            services.group_respond(participant=invitation, accept=False, by=None)

    def test_each_union_adds_only_its_own_members(self, joint, tree, lead, make_worker):
        invitation = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        services.group_respond(participant=invitation, accept=True, by=None)
        worker_a = make_worker(union=tree.union_a1)
        with pytest.raises(services.ApplicationRefused, match="is not a member of"):
            services.roster_add(group_trip=joint, worker=worker_a, union=tree.union_b1, by=None)
        worker_b = make_worker(union=tree.union_b1)
        with pytest.raises(services.ApplicationRefused, match="is not a member of"):
            services.roster_add(group_trip=joint, worker=worker_b, union=tree.union_a1, by=None)
        worker_a2 = make_worker(union=tree.union_a2)  # a union never invited
        with pytest.raises(services.ApplicationRefused, match="does not take part"):
            services.roster_add(group_trip=joint, worker=worker_a2, union=tree.union_a2, by=None)
        assert not joint.members.exists()

    def test_the_organizers_permissions_match(self, joint, tree, lead):
        invitation = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        org_b = tree.user("organizer_b1")
        assert permissions.get_group_trip(org_b, joint.pk, action="respond") == joint
        with pytest.raises(PermissionDenied):
            permissions.get_group_trip(org_b, joint.pk, action="roster")
        services.group_respond(participant=invitation, accept=True, by=org_b)
        assert permissions.get_group_trip(org_b, joint.pk, action="roster") == joint
        for action in ("manage", "run", "respond"):
            with pytest.raises(PermissionDenied):
                permissions.get_group_trip(org_b, joint.pk, action=action)
        assert permissions.get_group_trip(lead, joint.pk, action="manage") == joint

    def test_the_lead_runs_the_trip_for_every_member_each_union_manages_its_own(
        self, joint, tree, lead, make_worker
    ):
        invitation = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        services.group_respond(participant=invitation, accept=True, by=None)
        org_b = tree.user("organizer_b1")
        member_a = services.roster_add(
            group_trip=joint, worker=make_worker(), union=tree.union_a1, by=None
        )
        member_b = services.roster_add(
            group_trip=joint, worker=make_worker(union=tree.union_b1), union=tree.union_b1, by=None
        )
        # Attendance: the lead (who runs the trip) for everyone, each union for its own.
        for member in (member_a, member_b):
            assert permissions.get_application(lead, member.pk, action="attendance") == member
        assert permissions.get_application(org_b, member_b.pk, action="attendance") == member_b
        with pytest.raises(PermissionDenied):
            permissions.get_application(org_b, member_a.pk, action="attendance")
        # Withdrawing and endorsing: only the member's own union.
        for action in ("withdraw", "endorse"):
            with pytest.raises(PermissionDenied):
                permissions.get_application(lead, member_b.pk, action=action)
            with pytest.raises(PermissionDenied):
                permissions.get_application(org_b, member_a.pk, action=action)
        # A union that never joined sees nothing of the roster.
        outsider = UserFactory(role=Role.ORGANIZER, org=tree.union_a2)
        with pytest.raises(Http404):
            permissions.get_application(outsider, member_a.pk)

    def test_decline_and_invite_again(self, joint, tree, lead):
        invitation = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        services.group_respond(participant=invitation, accept=False, by=None)
        invitation.refresh_from_db()
        assert invitation.status == ParticipantStatus.DECLINED
        assert tree.union_b1.pk not in selectors.joined_union_ids(joint)
        again = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        assert again.pk == invitation.pk and again.status == ParticipantStatus.INVITED
        assert again.responded_at is None

    def test_inviting_makes_the_group_joint(self, trip, tree, lead):
        group = services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a1, seats=3, by=lead
        )
        assert not group.joint
        services.group_invite(group_trip=group, union=tree.union_b1, by=lead)
        group.refresh_from_db()
        assert group.joint

    def test_bad_invitations(self, joint, tree, lead):
        with pytest.raises(services.ApplicationRefused, match="already takes part"):
            services.group_invite(group_trip=joint, union=tree.union_a1, by=lead)
        with pytest.raises(services.ApplicationRefused, match="grassroots"):
            services.group_invite(group_trip=joint, union=tree.agency, by=lead)
        services.group_trip_cancel(group_trip=joint, by=lead, reason="取消")
        with pytest.raises(services.ApplicationRefused, match="cancelled"):
            services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        assert GroupParticipant.objects.filter(group_trip=joint).count() == 1

    def test_group_endorse_endorses_only_the_unions_own_submitted_members(
        self, joint, tree, lead, make_worker
    ):
        invitation = services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        services.group_respond(participant=invitation, accept=True, by=None)
        own = [
            services.roster_add(
                group_trip=joint, worker=make_worker(), union=tree.union_a1, by=None
            )
            for _ in range(2)
        ]
        theirs = services.roster_add(
            group_trip=joint, worker=make_worker(union=tree.union_b1), union=tree.union_b1, by=None
        )
        endorsed = services.group_endorse(group_trip=joint, union=tree.union_a1, by=lead)
        assert sorted(a.pk for a in endorsed) == sorted(a.pk for a in own)
        assert Application.objects.get(pk=theirs.pk).status == Status.SUBMITTED
        assert services.group_endorse(group_trip=joint, union=tree.union_a1, by=lead) == []


class TestBoard:
    def test_joint_groups_with_free_seats_are_listed_and_can_be_joined(
        self, joint, trip, tree, make_worker
    ):
        private = services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a2, seats=2, by=None
        )
        board = selectors.open_seat_board()
        assert list(board) == [joint]
        assert (board[0].members_count, board[0].open_seats) == (0, 6)
        assert private not in board
        org_b = tree.user("organizer_b1")
        assert permissions.get_board_group_trip(org_b, joint.pk) == joint
        with pytest.raises(PermissionDenied):
            permissions.get_board_group_trip(tree.user("organizer_a1"), joint.pk)
        with pytest.raises(Http404):
            permissions.get_board_group_trip(org_b, private.pk)
        joined = services.group_join(group_trip=joint, union=tree.union_b1, by=org_b)
        assert joined.status == ParticipantStatus.JOINED and not joined.lead
        with pytest.raises(services.ApplicationRefused, match="already takes part"):
            services.group_join(group_trip=joint, union=tree.union_b1, by=org_b)
        services.roster_add(
            group_trip=joint, worker=make_worker(union=tree.union_b1), union=tree.union_b1, by=None
        )
        assert selectors.open_seat_board().get().open_seats == 5

    def test_an_invited_union_may_also_join_from_the_board(self, joint, tree, lead):
        services.group_invite(group_trip=joint, union=tree.union_b1, by=lead)
        joined = services.group_join(group_trip=joint, union=tree.union_b1, by=None)
        assert joined.status == ParticipantStatus.JOINED

    def test_full_cancelled_and_late_groups_are_not_on_the_board(
        self, joint, trip, tree, make_worker
    ):
        services.group_trip_resize(group_trip=joint, seats=1, by=None)
        services.roster_add(group_trip=joint, worker=make_worker(), union=tree.union_a1, by=None)
        assert not selectors.open_seat_board().exists()
        with pytest.raises(services.ApplicationRefused, match="no open seats"):
            services.group_join(group_trip=joint, union=tree.union_b1, by=None)
        services.group_trip_resize(group_trip=joint, seats=2, by=None)
        assert selectors.open_seat_board().exists()
        late = trip.batch.signup_deadline + timedelta(days=1)
        assert not selectors.open_seat_board(today=late).exists()
        with pytest.raises(services.ApplicationRefused, match="no open seats"):
            services.group_join(group_trip=joint, union=tree.union_b1, by=None, today=late)
        services.group_trip_cancel(group_trip=joint, by=None, reason="取消")
        assert not selectors.open_seat_board().exists()

    def test_only_grassroots_unions_join(self, joint, tree):
        with pytest.raises(services.ApplicationRefused, match="grassroots"):
            services.group_join(group_trip=joint, union=tree.county_b, by=None)


class TestAgency:
    @pytest.fixture
    def other_agency_user(self, tree):
        other = OrganizationFactory(code="AG2", kind=OrgKind.AGENCY, parent=tree.city)
        return UserFactory(role=Role.AGENCY, org=other)

    @pytest.fixture
    def world(self, joint, trip, tree, lead, make_worker, flow):
        """The joint group entrusted to the agency, another group and a lone applicant."""
        members = [
            services.roster_add(
                group_trip=joint, worker=make_worker(), union=tree.union_a1, by=None
            )
            for _ in range(2)
        ]
        services.group_trip_entrust(group_trip=joint, agency=tree.agency, by=lead)
        other_group = services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a2, seats=2, by=None
        )
        other_member = services.roster_add(
            group_trip=other_group,
            worker=make_worker(union=tree.union_a2),
            union=tree.union_a2,
            by=None,
        )
        alone = flow.submit(make_worker(), trip.batch)
        return members, other_group, other_member, alone

    def test_entrusting_tells_the_agency(self, world, tree, joint):
        assert Notification.objects.filter(
            user=tree.user("agency"), url=f"/applications/groups/{joint.pk}/"
        ).exists()
        joint.refresh_from_db()
        assert joint.agency == tree.agency

    def test_the_agency_sees_exactly_its_trips_rosters_and_settlements(
        self, world, tree, joint, flow, other_agency_user
    ):
        members, other_group, other_member, alone = world
        agency = tree.user("agency")
        assert list(selectors.group_trips_visible_to(agency)) == [joint]
        assert set(selectors.applications_visible_to(agency)) == set(members)
        for member in members:
            assert permissions.get_application(agency, member.pk, action="attendance") == member
            with pytest.raises(PermissionDenied):
                permissions.get_application(agency, member.pk, action="approve")
        for outside in (other_member, alone):
            with pytest.raises(Http404):
                permissions.get_application(agency, outside.pk)
        assert permissions.get_group_trip(agency, joint.pk, action="run") == joint
        for action in ("manage", "roster", "respond"):
            with pytest.raises(PermissionDenied):
                permissions.get_group_trip(agency, joint.pk, action=action)
        with pytest.raises(Http404):
            permissions.get_group_trip(agency, other_group.pk)
        with pytest.raises(PermissionDenied):  # the batch is public; its whole roster is not
            permissions.get_batch_for(agency, joint.batch_id, action="roster")
        # Another agency sees none of it.
        assert not selectors.group_trips_visible_to(other_agency_user).exists()
        assert not selectors.applications_visible_to(other_agency_user).exists()
        with pytest.raises(Http404):
            permissions.get_group_trip(other_agency_user, joint.pk)
        # Its trip's settlement, and no other.
        done = [flow.to(m, Status.COMPLETED) for m in members]
        settlement = services.settlement_submit(
            applications=done,
            union=tree.union_a1,
            invoice=pdf_upload(),
            invoice_amount=300_000,
            by=agency,
            group_trip=joint,
        )
        alone_done = flow.to(alone, Status.COMPLETED)
        services.settlement_submit(
            applications=[alone_done],
            union=tree.union_a1,
            invoice=pdf_upload(),
            invoice_amount=100_000,
            by=None,
        )
        assert list(permissions.settlements_visible_to(agency)) == [settlement]
        assert permissions.get_settlement(agency, settlement.pk) == settlement
        with pytest.raises(PermissionDenied):
            permissions.get_settlement(agency, settlement.pk, action="decide")
        assert not permissions.settlements_visible_to(other_agency_user).exists()
        assert Settlement.objects.count() == 2

    def test_revoking_takes_everything_back(self, world, tree, joint, lead):
        members = world[0]
        services.group_trip_entrust(group_trip=joint, agency=None, by=lead)
        agency = tree.user("agency")
        assert not selectors.group_trips_visible_to(agency).exists()
        assert not selectors.applications_visible_to(agency).exists()
        with pytest.raises(Http404):
            permissions.get_group_trip(agency, joint.pk)
        with pytest.raises(Http404):
            permissions.get_application(agency, members[0].pk)

    def test_entrusting_something_else_than_an_agency_is_refused(self, joint, tree, lead):
        for org in (tree.operator, tree.union_b1, tree.county_a):
            with pytest.raises(services.ApplicationRefused, match="travel agency"):
                services.group_trip_entrust(group_trip=joint, agency=org, by=lead)
        joint.refresh_from_db()
        assert joint.agency is None

    def test_entrusting_twice_is_one_change(self, joint, tree, lead):
        from accounts.models import AuditEvent

        services.group_trip_entrust(group_trip=joint, agency=tree.agency, by=lead)
        services.group_trip_entrust(group_trip=joint, agency=tree.agency, by=lead)
        assert AuditEvent.objects.filter(action="group_trip.entrust").count() == 1


class TestCancel:
    def test_cancelling_withdraws_everyone_and_gives_back_block_and_money(
        self, trip, tree, lead, make_worker, make_batch, flow
    ):
        batch = make_batch(capacity=4)
        group = services.group_trip_create(batch=batch, organizer=tree.union_a1, seats=3, by=lead)
        members = [
            services.roster_add(
                group_trip=group, worker=make_worker(), union=tree.union_a1, by=None
            )
            for _ in range(2)
        ]
        flow.to(members[0], Status.APPROVED)
        year = batch.start_date.year
        assert utilization(org=tree.county_a, year=year).reserved == members[0].subsidy_fen
        waiting = [flow.submit(make_worker(), batch) for _ in range(3)]
        assert [w.status for w in waiting] == ["submitted", "waitlisted", "waitlisted"]
        with pytest.raises(services.ApplicationRefused, match="reason"):
            services.group_trip_cancel(group_trip=group, by=lead, reason=" ")
        services.group_trip_cancel(group_trip=group, by=lead, reason="单位任务调整")
        group.refresh_from_db()
        assert group.cancelled_at is not None
        for member in members:
            member.refresh_from_db()
            assert member.status == Status.WITHDRAWN
            assert member.changes.latest("pk").reason == "单位任务调整"
        assert utilization(org=tree.county_a, year=year).reserved == 0
        # The block went back to the batch, and the waiting list took it.
        assert [Application.objects.get(pk=w.pk).status for w in waiting] == ["submitted"] * 3
        assert seats(batch) == (3, 3)
        # Cancelling again changes nothing.
        services.group_trip_cancel(group_trip=group, by=lead, reason="again")
        assert seats(batch) == (3, 3)

    def test_no_cancelling_once_the_trip_started(self, joint, trip, lead):
        with pytest.raises(services.ApplicationRefused, match="started"):
            services.group_trip_cancel(
                group_trip=joint, by=lead, reason="晚了", today=after_departure(trip.batch)
            )
        joint.refresh_from_db()
        assert joint.is_active and seats(trip.batch) == (6, 6)

    def test_a_cancelled_group_takes_no_members_and_no_resizing(
        self, joint, tree, lead, make_worker
    ):
        services.group_trip_cancel(group_trip=joint, by=lead, reason="取消")
        with pytest.raises(services.ApplicationRefused, match="cancelled"):
            services.roster_add(
                group_trip=joint, worker=make_worker(), union=tree.union_a1, by=None
            )
        with pytest.raises(services.ApplicationRefused, match="cancelled"):
            services.group_trip_resize(group_trip=joint, seats=3, by=lead)
