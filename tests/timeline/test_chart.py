from timeline.chart import MAX_ROWS, chart_layout


def test_an_empty_timeline_has_an_empty_chart():
    chart = chart_layout({}, {})
    assert chart.is_empty and chart.description == "No dated events to chart."


def test_program_rows_share_a_scale_and_the_totals_row_has_its_own():
    chart = chart_layout({("a", "Alpha"): {2020: 4, 2022: 2}, ("b", "Beta"): {2021: 1}}, {2020: 40, 2021: 1, 2022: 2})
    total, alpha, beta = chart.rows
    assert total.is_total and total.total == 43
    assert [b.year for b in alpha.bars] == [2020, 2022]
    assert alpha.bars[0].height == 26 and alpha.bars[1].height == 13
    assert total.bars[0].height == 26
    assert beta.bars[0].x > alpha.bars[0].x
    assert [year for _, year in chart.ticks] == [2020, 2021, 2022]
    assert "Alpha: 6 events; Beta: 1 event" in chart.description


def test_it_draws_the_largest_programs_and_counts_the_rest():
    per_program = {(f"p{i}", f"Program {i}"): {2020: i + 1} for i in range(MAX_ROWS + 3)}
    chart = chart_layout(per_program, {2020: 100})
    assert len(chart.rows) == MAX_ROWS + 1 and chart.hidden_programs == 3
    assert chart.rows[1].label == f"Program {MAX_ROWS + 2}"


def test_a_long_span_gets_at_most_a_dozen_ticks():
    chart = chart_layout({}, {1990: 1, 2025: 3})
    assert len(chart.ticks) <= 12 and chart.ticks[0][1] == 1990
