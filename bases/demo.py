"""Demo data of this app for ``manage.py seed_demo`` (idempotent).

33 bases over the six demo counties (all three themes and six products), three itineraries each
for the 30 admitted ones (three of them out of the province), batches every six weeks from March
three years ago until November next year, star ratings, two monthly inspection draws (last
month's done, this month's not yet), one base on the watch list, one exited last year and three
in accreditation.

Every date is relative to the demo's today (``SeedReport.today``, the day of the first run; see
``accounts.demo.demo_today``), every row is found by a natural key before it is created (base:
county + name; itinerary: base + title; batch: itinerary + start date; draw: month), and random
choices come from fixed seeds, so a second run, on any later day, creates nothing.

Batches are created empty (``seats_held`` 0): the applications demo fills them through its
services, and the reviews that feed the service scores come from its completed trips
(``applications.demo``), so the scores are refreshed again there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import SeedReport
from accounts.models import Organization, User
from bases import cache as page_cache
from bases import services
from bases.models import (
    INDICATORS,
    AccreditationStep,
    Base,
    BaseStatus,
    Batch,
    BatchStatus,
    Inspection,
    InspectionDraw,
    InspectionStatus,
    Itinerary,
    QualitySettings,
    StarRating,
    stars_for,
)

BATCH_EVERY = timedelta(weeks=6)


@dataclass(frozen=True)
class Dates:
    """The bases story's calendar, all of it derived from the demo's today."""

    today: date

    @property
    def year(self) -> int:
        return self.today.year

    @property
    def first_batch(self) -> date:
        return date(self.year - 3, 3, 6)

    @property
    def last_batch(self) -> date:
        return date(self.year + 1, 11, 30)

    @property
    def exited_on(self) -> date:  # the exited base left the catalogue last autumn
        return date(self.year - 1, 9, 15)

    @property
    def notice_ends(self) -> date:  # the base in public notice has a week of it left
        return self.today + timedelta(days=7)

    @property
    def months(self) -> tuple[date, date]:
        """The first days of last month and of this month: the two inspection draws."""
        this = self.today.replace(day=1)
        return (this - timedelta(days=1)).replace(day=1), this


# operator, name, themes, products, address, one-line summary
BASES: list[tuple[str, str, list[str], list[str], str, str]] = [
    (
        "OP-QSFOREST",
        "青山国家森林公园康养基地",
        ["green"],
        ["forest"],
        "青山县林场路1号",
        "万亩林海，负氧离子常年每立方厘米两万以上",
    ),
    (
        "OP-QSFOREST",
        "青山竹海森林氧吧疗养院",
        ["green"],
        ["forest", "tcm_diet"],
        "青山县竹海镇翠竹路18号",
        "竹海深处的静养之所，竹笋药膳远近闻名",
    ),
    (
        "OP-QSFOREST",
        "青山云雾山职工康养中心",
        ["green"],
        ["forest", "tea"],
        "青山县云雾山景区北门",
        "云海日出与高山云雾茶，适合中老年职工静养",
    ),
    (
        "OP-YLTEA",
        "云岭万亩茶园疗休养基地",
        ["green"],
        ["tea"],
        "云岭县茶乡大道88号",
        "茶园漫步、采茶制茶，体验茶农的一天",
    ),
    (
        "OP-YLTEA",
        "云岭古茶山养生谷",
        ["green"],
        ["tea", "tcm_diet"],
        "云岭县古茶山村",
        "百年古茶树下的茶疗与药膳养生",
    ),
    (
        "OP-YLTEA",
        "云岭茶马古道红色驿站",
        ["red", "green"],
        ["tea", "other"],
        "云岭县马帮镇古道口",
        "茶马古道上的红军驿站旧址，红色与绿色相融",
    ),
    (
        "OP-YLSPRING",
        "云岭温泉疗养院",
        ["green"],
        ["hot_spring", "medical"],
        "云岭县汤泉路6号",
        "天然硫磺温泉配合康复理疗，省级职工疗养院",
    ),
    (
        "OP-YLSPRING",
        "云岭汤泉谷康养小镇",
        ["green"],
        ["hot_spring"],
        "云岭县汤泉谷",
        "山谷温泉群，四十余个露天汤池",
    ),
    (
        "OP-YLSPRING",
        "云岭林间温泉职工之家",
        ["green"],
        ["hot_spring", "forest"],
        "云岭县林场温泉村",
        "林间温泉木屋，适合小单位联合组团",
    ),
    (
        "OP-LHSEA",
        "临海金沙滩滨海休养中心",
        ["blue"],
        ["seaside"],
        "临海县金沙滩旅游区",
        "三公里金色沙滩，滨海步道与海上日出",
    ),
    (
        "OP-LHSEA",
        "临海渔港风情职工疗养院",
        ["blue"],
        ["seaside", "tcm_diet"],
        "临海县渔港路66号",
        "老渔港边的疗养院，海鲜药膳特色",
    ),
    (
        "OP-LHSEA",
        "临海灯塔湾海洋康养基地",
        ["blue"],
        ["seaside", "medical"],
        "临海县灯塔湾",
        "海洋气候康养与呼吸系统理疗",
    ),
    (
        "OP-LHISLAND",
        "临海东岛职工之家",
        ["blue"],
        ["seaside"],
        "临海县东岛乡",
        "海岛慢生活，赶海、海钓与渔家乐",
    ),
    (
        "OP-LHISLAND",
        "临海海岛红色哨所教育基地",
        ["red", "blue"],
        ["seaside", "other"],
        "临海县哨所岛",
        "守岛民兵哨所旧址，海防教育与海岛休养",
    ),
    (
        "OP-LHISLAND",
        "临海南礁生态岛疗休养基地",
        ["blue", "green"],
        ["seaside", "forest"],
        "临海县南礁岛",
        "海岛森林与珊瑚礁海岸，生态保护示范岛",
    ),
    (
        "OP-HSRED",
        "红石革命纪念馆教育基地",
        ["red"],
        ["other"],
        "红石县纪念馆路1号",
        "省级爱国主义教育基地，红石暴动史料陈列",
    ),
    (
        "OP-HSRED",
        "红石老区红军小道研学基地",
        ["red", "green"],
        ["other", "forest"],
        "红石县老区乡",
        "重走红军小道，体验老区新貌",
    ),
    (
        "OP-HSRED",
        "红石兵工厂旧址党性教育基地",
        ["red"],
        ["other"],
        "红石县兵工厂旧址",
        "保存完好的红军兵工厂旧址与工匠精神展",
    ),
    (
        "OP-HSMED",
        "红石中医疗养院",
        ["green"],
        ["medical", "tcm_diet"],
        "红石县杏林路9号",
        "中医体质辨识、针灸推拿与药膳调理",
    ),
    (
        "OP-HSMED",
        "红石药谷中药食疗基地",
        ["green"],
        ["tcm_diet"],
        "红石县药谷村",
        "道地药材种植园与中药食疗课堂",
    ),
    (
        "OP-HSMED",
        "红石针灸理疗康复中心",
        ["green"],
        ["medical"],
        "红石县康复路3号",
        "颈肩腰腿慢性劳损的针灸理疗",
    ),
    (
        "OP-DHLAKE",
        "东湖湖畔职工疗休养院",
        ["green", "blue"],
        ["medical", "other"],
        "东湖区湖滨路120号",
        "城市湖畔的老牌职工疗休养院，交通便利",
    ),
    (
        "OP-DHLAKE",
        "东湖湿地康养中心",
        ["green"],
        ["forest"],
        "东湖区湿地公园东门",
        "湿地观鸟、湖畔骑行与自然疗愈",
    ),
    (
        "OP-DHLAKE",
        "东湖劳模疗休养院",
        ["red", "green"],
        ["medical"],
        "东湖区劳模路2号",
        "劳模、工匠专属疗休养与健康管理",
    ),
    (
        "OP-NXHEALTH",
        "南溪健康管理中心体检疗养部",
        ["green"],
        ["medical"],
        "南溪区健康路50号",
        "全面健康体检与个性化健康干预",
    ),
    (
        "OP-NXHEALTH",
        "南溪溪谷森林康养基地",
        ["green"],
        ["forest", "tea"],
        "南溪区溪谷村",
        "溪谷森林步道与山泉茶饮",
    ),
    (
        "OP-NXHEALTH",
        "南溪工匠学院技能研修基地",
        ["red"],
        ["other"],
        "南溪区技师学院路8号",
        "技能研修与工匠精神传承，疗休养+技能培训",
    ),
    (
        "OP-QSVILLAGE",
        "青山美丽乡村民宿群",
        ["green"],
        ["forest", "tcm_diet"],
        "青山县溪头村",
        "十余家精品民宿，乡村慢生活",
    ),
    (
        "OP-QSVILLAGE",
        "青山茶乡田园综合体",
        ["green"],
        ["tea"],
        "青山县茶乡村",
        "茶园、稻田与农耕体验",
    ),
    (
        "OP-QSVILLAGE",
        "青山红色村落研学基地",
        ["red"],
        ["other"],
        "青山县红旗村",
        "皖浙边区革命根据地旧址群",
    ),
    # In accreditation: not in the catalogue (the public notice page lists the first).
    (
        "OP-YLTEA",
        "云岭星空露营康养基地",
        ["green"],
        ["forest"],
        "云岭县观星台",
        "高山星空露营与森林康养",
    ),
    (
        "OP-LHSEA",
        "临海蓝湾帆船运动基地",
        ["blue"],
        ["seaside"],
        "临海县蓝湾码头",
        "帆船体验与海上运动康养",
    ),
    (
        "OP-NXHEALTH",
        "南溪城市绿廊健康驿站",
        ["green"],
        ["other"],
        "南溪区绿廊公园",
        "城市绿道旁的短途健康驿站",
    ),
]
WATCH_BASE = "临海渔港风情职工疗养院"
EXITED_BASE = "红石针灸理疗康复中心"
ACCREDITING = {
    "云岭星空露营康养基地": BaseStatus.NOTICE,
    "临海蓝湾帆船运动基地": BaseStatus.RECOMMENDED,
    "南溪城市绿廊健康驿站": BaseStatus.APPLIED,
}

TITLES = {
    "forest": ["森林康养{d}日疗休养", "林间氧吧{d}日静养", "森林步道健身{d}日行"],
    "seaside": ["滨海休养{d}日游", "海岛风情{d}日疗休养", "渔村慢生活{d}日行"],
    "hot_spring": ["温泉疗养{d}日", "汤泉理疗{d}日康养", "温泉养生{d}日休养"],
    "medical": ["健康体检疗养{d}日", "康复理疗{d}日", "慢病管理{d}日疗休养"],
    "tcm_diet": ["中药食疗养生{d}日", "药膳调理{d}日", "本草养生{d}日"],
    "tea": ["茶园养生{d}日", "采茶制茶体验{d}日", "茶疗静心{d}日"],
    "other": ["红色教育{d}日研学", "重走红军路{d}日", "党性教育{d}日疗休养"],
}
DAYS = {
    "forest": [
        "森林步道徒步，负氧离子氧吧静坐",
        "森林瑜伽与太极晨练，自然教育课堂",
        "健康讲座：运动处方与慢性病预防",
        "山涧溯溪，林下采摘体验",
        "竹林茶叙，职工交流分享会",
        "森林浴与芳香疗法体验",
    ],
    "seaside": [
        "滨海步道晨跑，观海上日出",
        "赶海拾贝，渔家乐午餐",
        "健康讲座：海洋气候与呼吸健康",
        "海岛环岛骑行，灯塔参观",
        "海钓体验，海鲜药膳晚宴",
        "沙滩排球与职工联谊",
    ],
    "hot_spring": [
        "温泉泡浴与水疗理疗",
        "健康讲座：温泉疗养的宜与忌",
        "中医推拿与足疗",
        "温泉谷徒步，山野午餐",
        "露天汤池夜浴，星空茶话",
        "康复理疗师一对一评估",
    ],
    "medical": [
        "全面健康体检（血常规、心电图、B超等）",
        "体检报告解读与个性化健康干预",
        "健康讲座：高血压、糖尿病的日常管理",
        "康复理疗：颈肩腰腿劳损调理",
        "中医体质辨识与针灸推拿",
        "八段锦、太极拳练习",
    ],
    "tcm_diet": [
        "中药材种植园参观，认识道地药材",
        "药膳课堂：四季养生汤品制作",
        "健康讲座：中医食疗与体质调养",
        "中医体质辨识，定制食疗方案",
        "药膳宴与养生茶饮品鉴",
        "八段锦晨练，草药香囊制作",
    ],
    "tea": [
        "茶园漫步，采摘春茶",
        "制茶体验：杀青、揉捻、烘焙",
        "健康讲座：饮茶与健康",
        "茶艺课堂与茶礼体验",
        "茶山徒步，茶农家宴",
        "茶疗静心冥想",
    ],
    "other": [
        "参观革命纪念馆，重温入党誓词",
        "重走红军小道，聆听老党员讲故事",
        "现场教学：红色精神与工匠精神",
        "革命旧址群研学，红色电影观影",
        "健康讲座：职工身心健康",
        "红色主题交流分享会",
    ],
}
# Union price a day: above the demo policy's daily subsidy, so most workers still pay a little.
DAILY_RATE_YUAN = {
    "forest": 600,
    "seaside": 660,
    "hot_spring": 700,
    "medical": 760,
    "tcm_diet": 620,
    "tea": 580,
    "other": 560,
}
# The third itinerary of these bases leaves the province (7 days; once in three years a worker).
OUT_OF_PROVINCE = {
    "红石革命纪念馆教育基地": "赣浙红色联线7日研学",
    "临海东岛职工之家": "闽浙海岛联线7日疗休养",
    "云岭古茶山养生谷": "滇浙茶马古道7日研学",
}


def _count(report: SeedReport, what: str, n: int) -> None:
    report.add(what, False)
    report.created[what] += n


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@transaction.atomic
def seed(report: SeedReport) -> SeedReport:
    rng = random.Random(3)  # noqa: S311 - reproducible demo data
    dates = Dates(report.today)
    QualitySettings.load()
    staff = User.objects.filter(username="city").first()
    operators = {
        org.code: org
        for org in Organization.objects.filter(code__in={row[0] for row in BASES}).select_related(
            "parent"
        )
    }
    bases: list[Base] = []
    for index, (op_code, name, themes, products, address, summary) in enumerate(BASES):
        operator = operators[op_code]
        base, created = _base(
            index, operator, name, themes, products, address, summary, staff, rng, dates
        )
        report.add("bases", created)
        bases.append(base)

    admitted = [b for b in bases if b.name not in ACCREDITING]
    itineraries = _itineraries(admitted, report)
    _batches(itineraries, report, dates)
    _ratings(admitted, staff, report, dates)
    _inspections(admitted, staff, report, dates)
    services.service_scores_refresh(today=dates.today)
    return report


def _base(index, operator, name, themes, products, address, summary, staff, rng, dates: Dates):
    county = operator.parent
    base = Base.objects.filter(county=county, name=name).first()
    if base is not None:
        return base, False
    status = ACCREDITING.get(name, BaseStatus.ACTIVE)
    if name == WATCH_BASE:
        status = BaseStatus.WATCH
    elif name == EXITED_BASE:
        status = BaseStatus.EXITED
    path = _path(status)
    # Admitted bases applied four years ago, one every nine days; the new ones this season.
    applied = date(dates.year - 4, 3, 1) + timedelta(days=index * 9)
    if status in ACCREDITING.values():
        applied = dates.today - timedelta(days=121 - index)
    step_days = [applied + timedelta(days=25 * i) for i in range(len(path))]
    watch_since = dates.today - timedelta(days=41)
    if status == BaseStatus.WATCH:
        step_days[-1] = watch_since
    if status == BaseStatus.EXITED:
        last_year = dates.year - 1
        step_days[-3:] = [date(last_year, 4, 10), date(last_year, 7, 1), dates.exited_on]
    if status == BaseStatus.NOTICE:
        step_days[-1] = dates.notice_ends - timedelta(days=10)
    contact = rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["经理", "主任", "站长"])
    base = Base.objects.create(
        name=name,
        county=county,
        operator=operator,
        themes=themes,
        products=products,
        address=address,
        summary=summary,
        description=_description(name, county.name, products, summary),
        contact_name=contact,
        contact_phone=f"13{rng.randint(500000000, 999999999)}",
        status=status,
        status_changed_at=_at(step_days[-1]),
        notice_ends_on=dates.notice_ends if status == BaseStatus.NOTICE else None,
        watch_since=watch_since if status == BaseStatus.WATCH else None,
    )
    reasons = {
        BaseStatus.WATCH: "服务评分低于阈值：职工评价集中反映住宿潮湿、伙食一般。",
        BaseStatus.SUSPENDED: "观察期满服务评分仍低于阈值，暂停接待并限期整改。",
        BaseStatus.EXITED: "整改期满复查未通过，按有进有出机制退出基地名录。",
        BaseStatus.NOTICE: "审定通过，公示10天。",
    }
    applicant = User.objects.filter(org=operator).order_by("pk").first()
    steps = []
    previous = ""
    for status_step, day in zip(path, step_days, strict=True):
        by = None if status_step == BaseStatus.WATCH else staff
        steps.append(
            AccreditationStep(
                base=base,
                from_status=previous,
                to_status=status_step,
                by=applicant if status_step == BaseStatus.APPLIED else by,
                at=_at(day),
                reason=reasons.get(status_step, ""),
            )
        )
        previous = status_step
    AccreditationStep.objects.bulk_create(steps)
    return base, True


def _path(status: str) -> list[str]:
    s = BaseStatus
    admission = [s.APPLIED, s.CHECKED, s.RECOMMENDED, s.APPROVED, s.NOTICE, s.ACTIVE]
    if status == s.WATCH:
        return [*admission, s.WATCH]
    if status == s.EXITED:
        return [*admission, s.WATCH, s.SUSPENDED, s.EXITED]
    if status in admission:
        return admission[: admission.index(status) + 1]
    return admission


def _description(name: str, county: str, products: list[str], summary: str) -> str:
    place = county.replace("总工会", "")
    lines = {
        "forest": "基地森林覆盖率超过九成，设有康养步道、森林瑜伽平台和自然教育中心。",
        "seaside": "基地临海而建，设有滨海步道、海景客房和海鲜药膳餐厅。",
        "hot_spring": "基地拥有天然温泉泉眼，配套理疗中心和专业康复师。",
        "medical": "基地与市级医院合作，提供健康体检、慢病管理和康复理疗。",
        "tcm_diet": "基地聘请中医师坐诊，开设药膳课堂与体质辨识服务。",
        "tea": "基地周边万亩茶园环绕，开设茶艺课堂和制茶体验工坊。",
        "other": "基地为省级党性教育和爱国主义教育基地，配有专职讲解员。",
    }
    body = "".join(lines[p] for p in products)
    return (
        f"{name}位于{place}，{summary}。\n\n{body}"
        "可同时接待职工疗休养团队两至三个，小单位职工可报名联合组团。"
    )


def _itineraries(bases: list[Base], report: SeedReport) -> list[Itinerary]:
    rng = random.Random(31)  # noqa: S311
    existing = {(it.base_id, it.title): it for it in Itinerary.objects.filter(base__in=bases)}
    result = []
    for base in bases:
        for i in range(3):
            product = base.products[i % len(base.products)]
            days = rng.choice([4, 5, 5, 5, 6, 7])
            in_province = True
            title = TITLES[product][i].format(d=days)
            if base.name in OUT_OF_PROVINCE and i == 2:
                days, in_province, title = 7, False, OUT_OF_PROVINCE[base.name]
            rng_addon = rng.random()
            extra = rng.choice([0, 20, 40, 60])
            markup = rng.choice([1.15, 1.2, 1.25, 1.3])
            if (base.pk, title) in existing:
                result.append(existing[(base.pk, title)])
                continue
            middle = DAYS[product][: days - 2]
            while len(middle) < days - 2:
                middle.append("自由活动，基地周边休闲")
            programme = [f"第1天：报到入住，{base.name}欢迎会"]
            programme += [f"第{n}天：{text}" for n, text in enumerate(middle, start=2)]
            programme.append(f"第{days}天：早餐后合影留念，返程")
            addons, min_age, max_age = [], None, None
            if rng_addon < 0.15:
                addons, min_age, max_age = ["social"], 22, 40
            elif product == "other" or "技能" in base.name:
                addons = ["skills_training"] if rng_addon < 0.6 else ["skills_contest"]
            elif product == "medical" and rng_addon > 0.7:
                min_age, max_age = 45, 60
            union = DAILY_RATE_YUAN[product] * days + extra
            if not in_province:
                union += 1200
            standard = int(union * markup) // 10 * 10
            itinerary = Itinerary(
                base=base,
                title=title,
                days=days,
                in_province=in_province,
                summary=f"{base.summary}。",
                programme=programme,
                includes_health_lecture=any("讲座" in line for line in programme),
                includes_checkup=any("体检" in line for line in programme),
                min_age=min_age,
                max_age=max_age,
                addons=addons,
                standard_price_fen=standard * 100,
                union_price_fen=union * 100,
                active=True,
            )
            itinerary.full_clean(validate_unique=False)
            itinerary.save()
            report.add("itineraries", True)
            result.append(itinerary)
    return result


def _batches(itineraries: list[Itinerary], report: SeedReport, dates: Dates) -> None:
    rng = random.Random(47)  # noqa: S311
    existing = set(
        Batch.objects.filter(itinerary__in=itineraries).values_list("itinerary_id", "start_date")
    )
    new = []
    for n, itinerary in enumerate(itineraries):
        base = itinerary.base
        seaside = "seaside" in base.products
        start = dates.first_batch + timedelta(days=(n * 5) % 42)
        while start <= dates.last_batch:
            day, start = start, start + BATCH_EVERY
            if seaside and day.month in (12, 1, 2):
                continue
            capacity = rng.choice([20, 24, 30, 30, 40])
            if (itinerary.pk, day) in existing:
                continue
            status, reason = BatchStatus.OPEN, ""
            if base.name == EXITED_BASE and day + timedelta(days=itinerary.days) >= dates.exited_on:
                status, reason = BatchStatus.CLOSED, "基地退出，班期关闭"
            elif rng.random() < 0.02:
                status, reason = BatchStatus.CLOSED, "天气原因取消"
            new.append(
                Batch(
                    itinerary=itinerary,
                    start_date=day,
                    end_date=day + timedelta(days=itinerary.days - 1),
                    signup_deadline=day - timedelta(days=7),
                    capacity=capacity,
                    status=status,
                    closed_reason=reason,
                )
            )
    Batch.objects.bulk_create(new, batch_size=500)
    _count(report, "batches", len(new))


def _ratings(bases: list[Base], staff: User | None, report: SeedReport, dates: Dates) -> None:
    rng = random.Random(71)  # noqa: S311
    rated = set(StarRating.objects.filter(base__in=bases).values_list("base_id", flat=True))
    new, changed = [], []
    for base in bases:
        target = rng.choice([62, 72, 78, 84, 88, 93, 95])
        if base.name in (WATCH_BASE, EXITED_BASE):
            target = 64
        scores = {}
        for code, _label, _group, maximum in INDICATORS:
            wobble = rng.uniform(-0.08, 0.08)
            scores[code] = max(0, min(maximum, round(maximum * (target / 100 + wobble))))
        total, stars = stars_for(scores)
        if base.pk in rated:
            continue
        new.append(
            StarRating(
                base=base,
                rated_on=date(dates.year - 1, 6, 1) + timedelta(days=rng.randint(0, 60)),
                rated_by=staff,
                scores=scores,
                total=total,
                stars=stars,
                note=f"{dates.year - 1}年度星级评定",
            )
        )
        base.stars = stars
        changed.append(base)
    StarRating.objects.bulk_create(new)
    Base.objects.bulk_update(changed, ["stars"])
    page_cache.bump(page_cache.CATALOGUE)
    _count(report, "star ratings", len(new))


def _inspections(bases: list[Base], staff: User | None, report: SeedReport, dates: Dates) -> None:
    rng = random.Random(83)  # noqa: S311
    # Two monthly draws with published seeds (the month's first day as a number): last month's
    # has been inspected, this month's not yet.
    last_month, this_month = dates.months
    for month in (last_month, this_month):
        period = f"{month:%Y-%m}"
        exists = Inspection.objects.filter(draw__period=period).exists()
        draw = services.inspections_draw(
            period=period, seed=int(f"{month:%Y%m%d}"), sample_size=3, today=dates.today
        )
        report.add("inspection draws", not exists)
        if not exists:  # date the demo draw to the first of its month
            drawn_at = _at(month)
            InspectionDraw.objects.filter(pk=draw.pk).update(drawn_at=drawn_at)
            draw.inspections.update(created_at=drawn_at)
        if month == last_month:
            for n, inspection in enumerate(draw.inspections.select_related("base").order_by("pk")):
                if inspection.status != InspectionStatus.SCHEDULED:
                    continue
                inspection.inspected_on = month + timedelta(days=11 + n * 3)
                inspection.inspector = staff
                inspection.score = rng.randint(78, 95)
                if n == 0:
                    inspection.status = InspectionStatus.ANSWERED
                    inspection.findings = "服务协议中体检项目与实际不符；消防通道堆放杂物。"
                    inspection.rectification_deadline = inspection.inspected_on + timedelta(days=34)
                    inspection.answer = (
                        "已补充体检项目并修订服务协议；已清理消防通道并落实专人巡查。"
                    )
                    answered = min(inspection.inspected_on + timedelta(days=29), dates.today)
                    inspection.answered_at = _at(answered)
                    inspection.answered_by = (
                        User.objects.filter(org=inspection.base.operator_id).order_by("pk").first()
                    )
                else:
                    inspection.status = InspectionStatus.PASSED
                    inspection.findings = "服务协议、接待方案齐全，现场与方案一致。"
                inspection.save()
    watch = next((b for b in bases if b.name == WATCH_BASE), None)
    if watch and not Inspection.objects.filter(base=watch, draw=None).exists():
        Inspection.objects.create(
            base=watch,
            status=InspectionStatus.RECTIFYING,
            created_at=_at(dates.today - timedelta(days=36)),
            inspected_on=dates.today - timedelta(days=33),
            inspector=staff,
            score=55,
            findings="客房潮湿发霉；餐饮标准低于服务协议约定；未按方案安排健康讲座。",
            rectification_deadline=dates.today - timedelta(days=10),  # overdue: not yet fixed
        )
        report.add("inspections", True)
