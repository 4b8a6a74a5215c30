"""What the demo says: literal data (Chinese, as the demo city's people write it)."""

from __future__ import annotations

REJECT_REASONS = [
    "本单位年度疗休养名额已用完，请明年优先安排。",
    "所在岗位近期生产任务重，单位未同意本批次出行，可改报下半年班期。",
    "会员会费未按期缴纳，补缴后可重新申请。",
    "同一班次本单位报名人数过多，请与其他同事错峰出行。",
]
WITHDRAW_REASONS = ["家中临时有事，无法成行。", "工作安排冲突。", "身体不适，遵医嘱暂不出行。"]
REVIEW_TEXTS = {
    5: [
        "安排周到，服务热情，下次还想来。",
        "环境特别好，讲座很实用，家人也说值。",
        "吃住都很满意，工作人员很贴心。",
    ],
    4: [
        "整体不错，就是行程稍微紧了点。",
        "住宿干净，饭菜可口，交通有点远。",
        "体验很好，希望增加自由活动时间。",
    ],
    3: ["还可以，房间有些旧。", "活动安排一般，讲座内容偏少。"],
    2: ["房间潮湿，空调不好用，反映后处理较慢。", "伙食一般，行程和宣传有出入。"],
    1: ["服务态度差，临时取消了体检项目。"],
}
GOOD_RATINGS, POOR_RATINGS = [0, 0, 1, 4, 6], [1, 3, 3, 2, 0]  # weights of 1…5 stars
# A tiny valid PDF: the base's invoice attached to every demo settlement.
INVOICE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
