"""The national calendar of recurring campaigns that the source documents name, shipped with the portal.

"Hằng năm, tổ chức phát động các chương trình, sự kiện nhân dịp: Tháng hành động vì trẻ em, Ngày
Quốc tế thiếu nhi (01/6), Tết Trung thu và Tết Nguyên Đán, Ngày Vì người nghèo..." (the province's
plan for the Child Protection Fund); 17/10 is the day of the movement "Cả nước chung tay vì người
nghèo – Không để ai bị bỏ lại phía sau". Migration 0004 writes these as the templates without a unit
(see `CampaignTemplate`); `national_calendar_ensure` writes the missing ones again (the demo).
A change here reaches no database already migrated: staff edit the templates themselves.
"""

#: One template each: the fields of `CampaignTemplate` except the unit and the targets (a fund's own).
NATIONAL_CALENDAR: tuple[dict, ...] = (
    {
        "kind": "childrens_day",
        "name_pattern": "Ngày Quốc tế Thiếu nhi 1/6/{year}",
        "slug_prefix": "quoc-te-thieu-nhi",
        "date_rule": "solar",
        "day": 1,
        "month": 6,
        "days_before": 10,
        "days_after": 0,
        "description": "Ngày Quốc tế Thiếu nhi (01/6): chương trình, sự kiện vận động nguồn lực hỗ trợ "
        "trẻ em có hoàn cảnh đặc biệt, trẻ em thuộc hộ nghèo, hộ cận nghèo.",
    },
    {
        "kind": "action_month",
        "name_pattern": "Tháng hành động vì trẻ em {year}",
        "slug_prefix": "thang-hanh-dong",
        "date_rule": "solar",
        "day": 1,
        "month": 6,
        "days_before": 0,
        "days_after": 29,
        "description": "Tháng hành động vì trẻ em (01/6 – 30/6): vận động, kêu gọi đóng góp tăng nguồn "
        "lực cho Quỹ Bảo trợ trẻ em.",
    },
    {
        "kind": "mid_autumn",
        "name_pattern": "Tết Trung thu {year}",
        "slug_prefix": "tet-trung-thu",
        "date_rule": "lunar",
        "day": 15,
        "month": 8,
        "days_before": 40,
        "days_after": 10,
        "description": "Tết Trung thu (rằm tháng Tám âm lịch): quà Trung thu cho trẻ em có hoàn cảnh "
        "đặc biệt, trẻ em các xã miền núi.",
    },
    {
        "kind": "lunar_new_year",
        "name_pattern": "Tết Nguyên đán {year}",
        "slug_prefix": "tet-nguyen-dan",
        "date_rule": "lunar",
        "day": 1,
        "month": 1,
        "days_before": 30,
        "days_after": 5,
        "description": "Tết Nguyên đán (mùng 1 tháng Giêng âm lịch): quà Tết cho trẻ em có hoàn cảnh "
        "đặc biệt, trẻ em thuộc hộ nghèo, hộ cận nghèo.",
    },
    {
        "kind": "day_for_the_poor",
        "name_pattern": "Ngày vì người nghèo {year}",
        "slug_prefix": "ngay-vi-nguoi-ngheo",
        "date_rule": "solar",
        "day": 17,
        "month": 10,
        "days_before": 30,
        "days_after": 0,
        "description": "Ngày vì người nghèo (17/10), phong trào “Cả nước chung tay vì người nghèo – Không "
        "để ai bị bỏ lại phía sau”: kêu gọi các nguồn lực ủng hộ trẻ em.",
    },
)
