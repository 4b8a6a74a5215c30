"""Demo data for organizations and people (used by ``manage.py seed_demo``).

Deterministic: the same random seed every run, and every row is looked up by a natural key
(organization code, username) before it is created, so a second run creates nothing.

The whole demo is told relative to one day, the demo's "today" (``SeedReport.today``): the day
of the first run, remembered as the day the demo city was created. Later runs, whatever the
date, rebuild the same story from that day, so they find every row and movement already there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Gender, Organization, OrgKind, Role, User, Worker, WorkerCategory
from accounts.validators import id_number_check_digit

DEMO_PASSWORD = "demo1234"

PROVINCE = ("P33", "示范省总工会")
CITY = ("SFS", "示范市总工会")
COUNTIES = [
    # code, name, ID-number region code, flavour of local employers
    ("SFS-DH", "东湖区总工会", "339901", "dh"),
    ("SFS-QS", "青山县总工会", "339902", "qs"),
    ("SFS-LH", "临海县总工会", "339903", "sea"),
    ("SFS-YL", "云岭县总工会", "339904", "yl"),
    ("SFS-NX", "南溪区总工会", "339905", "nx"),
    ("SFS-HS", "红石县总工会", "339906", "red"),
]
EMPLOYERS = {
    "dh": [
        "示范市第一人民医院",
        "东湖电力检修有限公司",
        "东湖精密机械厂",
        "示范市公交集团",
        "东湖供水有限公司",
        "东湖街道社区卫生服务中心",
        "东湖印刷厂",
        "东湖物业服务有限公司",
    ],
    "nx": [
        "南溪轨道交通运营公司",
        "南溪数控设备有限公司",
        "南溪汽车零部件有限公司",
        "南溪小学",
        "南溪环卫所",
        "南溪电子元件厂",
        "南溪物流园有限公司",
    ],
    "qs": [
        "青山水泥有限公司",
        "青山竹木制品厂",
        "青山矿山机械有限公司",
        "青山镇卫生院",
        "青山食品有限公司",
        "青山供电所",
    ],
    "yl": [
        "云岭茶业合作社",
        "云岭水电站",
        "云岭林场",
        "云岭中药材种植合作社",
        "云岭县第二中学",
        "云岭文旅发展有限公司",
    ],
    "sea": [
        "临海渔业合作社",
        "临海造船有限公司",
        "临海港务有限公司",
        "临海海产品加工厂",
        "临海风电运维有限公司",
        "临海镇中心小学",
    ],
    "red": [
        "红石纺织厂",
        "红石煤矿",
        "红石化工有限公司",
        "红石县人民医院",
        "红石农机修造厂",
        "红石陶瓷有限公司",
    ],
}
# Grassroots unions directly under the city federation (市直单位): the city's own money pays
# their members' trips, so they are big enough to carry it.
CITY_LEVEL_EMPLOYERS = [
    "示范市机关事业单位",
    "示范市建设投资集团",
    "示范市技师学院",
    "示范市地铁集团",
    "示范市第二人民医院",
    "示范市环境卫生管理处",
    "示范市图书馆",
]
BASE_OPERATORS = [
    # code, name, county code
    ("OP-QSFOREST", "青山森林康养中心", "SFS-QS"),
    ("OP-YLTEA", "云岭茶园度假村", "SFS-YL"),
    ("OP-YLSPRING", "云岭温泉疗养院", "SFS-YL"),
    ("OP-LHSEA", "临海滨海休养中心", "SFS-LH"),
    ("OP-LHISLAND", "临海海岛职工之家", "SFS-LH"),
    ("OP-HSRED", "红石红色教育基地管理处", "SFS-HS"),
    ("OP-HSMED", "红石中医疗养院", "SFS-HS"),
    ("OP-DHLAKE", "东湖湖畔职工疗休养院", "SFS-DH"),
    ("OP-NXHEALTH", "南溪健康管理中心", "SFS-NX"),
    ("OP-QSVILLAGE", "青山美丽乡村民宿联盟", "SFS-QS"),
]
AGENCIES = [("AG-SFSCTS", "示范市职工国际旅行社")]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林锋建国志成海峰"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂英秀兰红梅莉婷雪琳晶倩颖洁佳慧琴云萍蓉丹"
CATEGORY_WEIGHTS = [
    (WorkerCategory.MODEL_WORKER, 6),
    (WorkerCategory.SENIOR_TECHNICIAN, 8),
    (WorkerCategory.TECHNICIAN, 14),
    (WorkerCategory.SENIOR_WORKER, 22),
    (WorkerCategory.MEMBER, 50),
]
WORKER_COUNT = 600
TINY_UNION_EVERY = 4  # every 4th grassroots union is a small unit of 3-8 members
PEOPLE_SEED = 7  # the random seed of names, sizes, categories and birthdays


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    today: date = field(default_factory=timezone.localdate)  # the demo's today: see demo_today()

    def add(self, what: str, was_created: bool) -> None:
        self.created[what] = self.created.get(what, 0) + int(was_created)


def _org(report: SeedReport, code: str, name: str, kind: str, parent: Organization | None):
    org, created = Organization.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent}
    )
    report.add("organizations", created)
    return org


def _user(report: SeedReport, password_hash: str, username: str, **defaults) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"password": password_hash, **defaults}
    )
    report.add("users", created)
    return user


def _name(rng: random.Random, gender: str) -> str:
    pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def _id_number(region: str, born: date, seq: int, gender: str) -> str:
    # The 17th digit is odd for men and even for women (GB 11643).
    order = f"{seq % 100:02d}{(seq % 5) * 2 + (1 if gender == Gender.MALE else 0)}"
    first17 = f"{region}{born:%Y%m%d}{order}"
    return first17 + id_number_check_digit(first17)


def _weighted_category(rng: random.Random) -> str:
    values, weights = zip(*CATEGORY_WEIGHTS, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_today() -> date:
    """The day the demo story is told from: the day the demo city was first seeded, else today.

    Every date, amount and key of the demo derives from this day, so a run on a later day (or
    in a later year) rebuilds exactly what the first run wrote and finds it all there.
    """
    created = Organization.objects.filter(code=CITY[0]).values_list("created_at", flat=True)
    first = created.first()
    return timezone.localdate(first) if first else timezone.localdate()


@transaction.atomic
def seed_people(report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    report.today = demo_today()
    year = report.today.year
    rng = random.Random(PEOPLE_SEED)  # noqa: S311 - reproducible demo data, not security
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing 300 times takes minutes

    province = _org(report, *PROVINCE, OrgKind.PROVINCE, None)
    city = _org(report, *CITY, OrgKind.CITY, province)
    unions: list[tuple[Organization, str]] = []
    n = 0
    for code, name, region, flavour in COUNTIES:
        county = _org(report, code, name, OrgKind.COUNTY, city)
        for employer in EMPLOYERS[flavour]:
            n += 1
            union = _org(report, f"GU{n:03d}", f"{employer}工会", OrgKind.GRASSROOTS, county)
            unions.append((union, region))
    for employer in CITY_LEVEL_EMPLOYERS:
        n += 1
        union = _org(report, f"GU{n:03d}", f"{employer}工会", OrgKind.GRASSROOTS, city)
        unions.append((union, "339900"))
    counties = {c.code: c for c in Organization.objects.filter(kind=OrgKind.COUNTY)}
    operators = [
        _org(report, code, name, OrgKind.BASE_OPERATOR, counties[county])
        for code, name, county in BASE_OPERATORS
    ]
    agencies = [_org(report, code, name, OrgKind.AGENCY, city) for code, name in AGENCIES]

    # Staff accounts.
    _user(report, password_hash, "admin", is_superuser=True, is_staff=True, full_name="系统管理员")
    _user(
        report,
        password_hash,
        "city",
        role=Role.FEDERATION_STAFF,
        org=city,
        full_name="市总工会 经审部",
    )
    _user(report, password_hash, "auditor", role=Role.AUDITOR, org=city, full_name="市总审计员")
    for i, (code, name, *_rest) in enumerate(COUNTIES, start=1):
        _user(
            report,
            password_hash,
            f"county{i}",
            role=Role.FEDERATION_STAFF,
            org=counties[code],
            full_name=f"{name[:3]}工作人员",
        )
    for i, op in enumerate(operators, start=1):
        _user(report, password_hash, f"base{i}", role=Role.BASE_OPERATOR, org=op, full_name=op.name)
    for i, ag in enumerate(agencies, start=1):
        _user(report, password_hash, f"agency{i}", role=Role.AGENCY, org=ag, full_name=ag.name)
    for i, (union, _region) in enumerate(unions, start=1):
        _user(
            report,
            password_hash,
            f"union{i}",
            role=Role.ORGANIZER,
            org=union,
            full_name=f"{union.name[:-2]}工会干事",
        )

    # Workers: every 4th union is tiny (3-8 members); the rest share what is left.
    sizes = []
    for i in range(len(unions)):
        sizes.append(rng.randint(3, 8) if i % TINY_UNION_EVERY == 3 else 0)
    big = [i for i, s in enumerate(sizes) if s == 0]
    city_level = {i for i, (union, _region) in enumerate(unions) if union.parent_id == city.pk}
    weights = [rng.choice([1, 1, 2, 2, 3, 5]) + (5 if i in city_level else 0) for i in big]
    remaining = WORKER_COUNT - sum(sizes)
    spare = remaining - 9 * len(big)
    for i, weight in zip(big, weights, strict=True):
        sizes[i] = 9 + spare * weight // sum(weights)
    sizes[big[0]] += WORKER_COUNT - sum(sizes)  # the first union absorbs the rounding
    seq = 0
    for (union, region), size in zip(unions, sizes, strict=True):
        for _ in range(size):
            seq += 1
            gender = rng.choice([Gender.MALE, Gender.FEMALE])
            # Aged 24 to 60 this year; the oldest are near retirement.
            born = date(rng.randint(year - 60, year - 24), rng.randint(1, 12), rng.randint(1, 28))
            age = year - born.year
            category = _weighted_category(rng)
            real_name = _name(rng, gender)
            phone = f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"
            user = _user(
                report,
                password_hash,
                f"worker{seq}",
                role=Role.WORKER,
                org=union,
                full_name=real_name,
            )
            _worker, created = Worker.objects.get_or_create(
                user=user,
                defaults={
                    "union": union,
                    "real_name": real_name,
                    "gender": gender,
                    "birth_date": born,
                    "category": category,
                    "in_good_standing": rng.random() > 0.04,
                    "joined_union_on": date(max(born.year + 20, year - 21), rng.randint(1, 12), 1),
                    "id_number": _id_number(region, born, seq, gender),
                    "phone": phone,
                    "hazardous_job": rng.random() < 0.12,
                    "hardship": rng.random() < 0.06,
                    "near_retirement": age >= 57,
                    "competition_winner": rng.random() < 0.07,
                },
            )
            report.add("workers", created)
    return report
