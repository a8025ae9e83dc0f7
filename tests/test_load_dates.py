import datetime as dt

import pytest

from generator.load.dates import parse_date

D = dt.date(2023, 3, 6)


@pytest.mark.parametrize(
    "value",
    ["2023-03-06", "2023/3/6", "2023年3月6日", "20230306", "2023-3-6", "2023.03.06", " 2023年03月06日 ",
     "２０２３－０３－０６", "2023-03-06 00:00:00", "2023年3月6", 44991, 20230306, 20230306.0,
     dt.datetime(2023, 3, 6, 0, 0), D],
)
def test_office_date_forms(value):
    assert parse_date(value) == D


@pytest.mark.parametrize("value", ["", "2023-02-30", "明天", "3/6/2023", "2023", None, True, 1.5, "2023-03-06x"])
def test_not_a_date_is_a_chinese_error(value):
    with pytest.raises(ValueError) as exc:
        parse_date(value)
    assert "日期" in str(exc.value)
