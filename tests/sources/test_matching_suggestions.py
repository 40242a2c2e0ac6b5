import datetime

from sources.matching.suggestions import group_reports, is_relevant

D = datetime.date


def test_a_report_naming_a_tracked_agency_or_program_is_relevant():
    assert is_relevant({"agency:3": 1.0}) and is_relevant({"program:1": 1.0})
    assert not is_relevant({"organization:1": 1.0}) and not is_relevant({})


def test_similar_reports_on_the_same_agency_are_grouped_and_others_kept_apart():
    reports = [
        (1, {"detent": 2, "contract": 1, "geo": 2}, {"agency:3"}, D(2025, 4, 25)),
        (2, {"detent": 1, "contract": 2, "geo": 1, "renew": 1}, {"agency:3"}, D(2025, 4, 27)),
        (3, {"airport": 2, "face": 2}, {"agency:3"}, D(2025, 4, 27)),
        (4, {"detent": 2, "contract": 1, "geo": 2}, {"agency:2"}, D(2025, 4, 27)),  # another agency
        (5, {"detent": 2, "contract": 1, "geo": 2}, {"agency:3"}, D(2025, 9, 1)),   # months later
    ]
    groups, membership = group_reports(reports)
    assert membership[1] == membership[2]
    assert len({membership[1], membership[3], membership[4], membership[5]}) == 4
    assert groups[membership[1] - 1].size == 2
