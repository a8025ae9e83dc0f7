"""Dates as the office writes them.

>>> parse_date("2023-03-06"), parse_date("2023/3/6"), parse_date("2023年3月6日")
(datetime.date(2023, 3, 6), datetime.date(2023, 3, 6), datetime.date(2023, 3, 6))
>>> parse_date("20230306"), parse_date("２０２３．３．６"), parse_date(44991)
(datetime.date(2023, 3, 6), datetime.date(2023, 3, 6), datetime.date(2023, 3, 6))
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

DATE_FORMS = "2023-03-06、2023/3/6、2023年3月6日 或 20230306"

_YMD = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date:
    """Parse one date; raise ValueError with a Chinese message when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(_bad(value))
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= value < 100000:  # an Excel serial number
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        if float(value).is_integer():
            value = str(int(value))
        else:
            raise ValueError(_bad(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _YMD.fullmatch(text) or _COMPACT.fullmatch(text)
    if not m:
        if re.fullmatch(r"[1-9][0-9]{4}", text):  # a CSV cell has no type: never guess a serial
            raise ValueError(
                _bad(value) + f"；它像 Excel 日期序列号（{_EXCEL_EPOCH + dt.timedelta(days=int(text))}），"
                "请在 Excel 中把该列设为日期格式后重新导出"
            )
        raise ValueError(_bad(value))
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"日期不存在：{value}（请检查年、月、日）") from None


def _bad(value: object) -> str:
    return f"无法识别的日期：{value}（应写作 {DATE_FORMS}）"
