"""The "recommended for you" ranking (portal.recommend): a pure function, tested by a hand
computation and by its properties over random catalogues."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import given
from hypothesis import strategies as st

from portal.recommend import Candidate, Profile, rank, score
from recuperation.money import format_yuan

TODAY = timezone.localdate()


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


# --- A hand-computed example ---------------------------------------------------------------------

PROFILE = Profile(
    birth_date=date(TODAY.year - 55, 1, 1),  # 55 or 56 on any departure below
    priority_groups=frozenset({"near_retirement"}),
    themes=frozenset({"green"}),
    free_from=day(20),
    free_until=day(40),
)
FOREST = Candidate(  # ¥320 for them, score 90, green, a check-up, departs when they are free
    id=1,
    title="森林康养",
    net_cost=32_000,
    open_dates=(day(30), day(75)),
    service_score=Decimal("90.0"),
    stars=4,
    themes=frozenset({"green"}),
    includes_checkup=True,
)
FOREST_DEARER = replace(FOREST, id=5, title="森林康养（贵一元）", net_cost=32_100)
FREE_RED = Candidate(  # free for them, no score yet (3 stars), made for ages 50–60, departs late
    id=2,
    title="红色研学",
    net_cost=0,
    open_dates=(day(60),),
    stars=3,
    themes=frozenset({"red"}),
    min_age=50,
    max_age=60,
)
DEAR_SEA = Candidate(  # ¥1,500 for them: no cost points; score 95.5, green and blue, in time
    id=3,
    title="滨海休养",
    net_cost=150_000,
    open_dates=(day(25),),
    service_score=Decimal("95.5"),
    stars=5,
    themes=frozenset({"green", "blue"}),
)
CLOSED = replace(FOREST, id=4, title="不可报名", net_cost=0, open_dates=())


def test_a_hand_computed_ranking():
    ranked = rank([DEAR_SEA, CLOSED, FREE_RED, FOREST_DEARER, FOREST], PROFILE)
    assert [r.candidate.id for r in ranked] == [1, 5, 2, 3]  # the closed one never appears
    forest, dearer, red, sea = ranked
    # forest: cost 40 × (1 − 320/1000) = 27.2; quality 0.3 × 90 = 27; theme 15; dates 10;
    # care 5 (near retirement, a check-up) = 84.2
    assert forest.factors == {
        "cost": Fraction("27.2"),
        "quality": Fraction(27),
        "theme": Fraction(15),
        "dates": Fraction(10),
        "care": Fraction(5),
    }
    assert forest.points == Fraction("84.2") and forest.score == Decimal("84.2")
    # one yuan dearer: cost 40 × (1 − 321/1000) = 27.16, so 84.16: just behind
    assert dearer.points == Fraction("84.16")
    # red: cost 40 (free); quality 6 × 3 stars = 18; age 5 (55 or 56, in 50–60) = 63
    assert red.factors == {"cost": Fraction(40), "quality": Fraction(18), "age": Fraction(5)}
    assert red.points == 63
    # sea: cost 0 (¥1,500 ≥ ¥1,000); quality 0.3 × 95.5 = 28.65; theme 15; dates 10 = 53.65
    assert sea.points == Fraction("53.65")
    assert forest.reasons == (
        "you pay ¥320.00",
        "service score 90.0",
        "Green forests, like trips you chose before",
        f"departs {date_format(day(30))}, when you are free",
        "includes a health check-up",
    )
    assert red.reason == "you pay ¥0.00; made for ages 50–60"  # 3 stars: not worth a reason
    assert sea.reason.startswith("you pay ¥1,500.00; service score 95.5; Green forests")


def test_equal_points_rank_the_cheaper_first_then_the_earlier_departure():
    # ¥1,000 and ¥2,000 both earn no cost points: the net cost still decides.
    a = replace(DEAR_SEA, id=10, net_cost=200_000)
    b = replace(DEAR_SEA, id=11, net_cost=100_000)
    assert score(a, PROFILE).points == score(b, PROFILE).points
    assert [r.candidate.id for r in rank([a, b], PROFILE)] == [11, 10]
    later = replace(b, id=12, open_dates=(day(26),))
    assert [r.candidate.id for r in rank([later, b], PROFILE)] == [11, 12]


def test_skills_add_ons_fit_skilled_workers():
    skilled = replace(PROFILE, priority_groups=frozenset({"skilled"}))
    contest = replace(FREE_RED, addons=frozenset({"skills_contest"}))
    assert score(contest, skilled).factors.get("care") == 5
    assert "with skills training or a skills contest" in score(contest, skilled).reasons
    assert "care" not in score(contest, PROFILE).factors  # near retirement: a check-up fits


def test_the_reason_is_in_the_active_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        reason = score(FOREST, PROFILE).reason
    assert reason.startswith("个人自付 ¥320.00") or "¥320.00" in reason
    assert "you pay" not in reason and "；" in reason


# --- Properties over random catalogues ---------------------------------------------------------

THEMES = ["red", "green", "blue"]
GROUPS = ["model_worker", "skilled", "competition_winner", "hazardous_job", "near_retirement"]


@st.composite
def candidates(draw, ident: int) -> Candidate:
    low = draw(st.none() | st.integers(16, 70))
    high = draw(st.none() | st.integers(low or 16, 80))
    return Candidate(
        id=ident,
        title=f"线路{ident}",
        net_cost=draw(st.integers(0, 500_000)),
        open_dates=tuple(day(n) for n in draw(st.lists(st.integers(1, 400), max_size=3))),
        service_score=draw(
            st.none() | st.decimals(0, 100, places=1, allow_nan=False, allow_infinity=False)
        ),
        stars=draw(st.integers(0, 5)),
        themes=frozenset(draw(st.sets(st.sampled_from(THEMES), min_size=1))),
        addons=frozenset(draw(st.sets(st.sampled_from(["social", "skills_training"])))),
        includes_checkup=draw(st.booleans()),
        min_age=low,
        max_age=high,
    )


catalogues = st.integers(0, 12).flatmap(lambda n: st.tuples(*(candidates(i + 1) for i in range(n))))
profiles = st.builds(
    Profile,
    birth_date=st.dates(date(TODAY.year - 65, 1, 1), date(TODAY.year - 18, 1, 1)),
    priority_groups=st.frozensets(st.sampled_from(GROUPS)),
    themes=st.frozensets(st.sampled_from(THEMES)),
    free_from=st.none() | st.integers(0, 200).map(day),
    free_until=st.none() | st.integers(100, 400).map(day),
)


@given(catalogue=catalogues, profile=profiles)
def test_only_what_they_may_apply_for_appears_and_all_of_it(catalogue, profile):
    ranked = rank(catalogue, profile)
    assert {r.candidate.id for r in ranked} == {c.id for c in catalogue if c.open_dates}
    assert all(r.candidate.open_dates for r in ranked)


@given(catalogue=catalogues, profile=profiles)
def test_more_points_first_and_equal_points_cheaper_first(catalogue, profile):
    ranked = rank(catalogue, profile)
    for first, second in zip(ranked, ranked[1:], strict=False):
        assert first.points >= second.points
        if first.points == second.points:
            assert first.candidate.net_cost <= second.candidate.net_cost


@given(catalogue=catalogues, profile=profiles, cheaper_by=st.integers(1, 200_000))
def test_all_else_equal_the_cheaper_ranks_higher(catalogue, profile, cheaper_by):
    for original in catalogue:
        if not original.open_dates or original.net_cost < cheaper_by:
            continue
        cheaper = replace(original, id=999, net_cost=original.net_cost - cheaper_by)
        order = [r.candidate.id for r in rank([*catalogue, cheaper], profile)]
        assert order.index(999) < order.index(original.id)


@given(catalogue=catalogues, profile=profiles)
def test_the_reasons_name_exactly_the_factors_that_earned_points(catalogue, profile):
    phrases = {
        "theme": "like trips you chose before",
        "dates": "when you are free",
        "age": "made for ages",
    }
    for r in rank(catalogue, profile):
        c = r.candidate
        assert r.reasons[0] == f"you pay {format_yuan(c.net_cost)}"  # the cost, always first
        for factor, phrase in phrases.items():
            assert (factor in r.factors) == any(phrase in part for part in r.reasons), factor
        care = any("check-up" in part or "skills" in part for part in r.reasons)
        assert ("care" in r.factors) == care
        if "theme" in r.factors:
            assert c.themes & profile.themes
        if "dates" in r.factors:
            assert profile.free_from or profile.free_until
        assert r.points == sum(r.factors.values())
        assert 0 <= r.factors["cost"] <= 40 and 0 <= r.factors["quality"] <= 30
        assert "\n" not in r.reason  # one line
