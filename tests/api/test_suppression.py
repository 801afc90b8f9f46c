"""The suppression function: worked examples and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.suppression import ProtectedTable, Published, protect_table, round_to_base

counts = st.one_of(st.integers(0, 12), st.integers(0, 400))
tables = st.integers(1, 6).flatmap(
    lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=1, max_size=6)
)

pytestmark = pytest.mark.app_env


def _extended(table: ProtectedTable) -> list[list[Published]]:
    rows = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    rows.append([*table.column_totals, table.grand_total])
    return rows


def _exact_extended(cells: list[list[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in cells]
    columns = [sum(col) for col in zip(*cells, strict=True)] if cells else []
    rows.append([*columns, sum(columns)])
    return rows


def _lines(height: int, width: int) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Rows and columns of the extended table (cells, total), last row/column being totals."""
    result = [([(i, j) for j in range(width - 1)], (i, width - 1)) for i in range(height)]
    result += [([(i, j) for i in range(height - 1)], (height - 1, j)) for j in range(width)]
    return result


def test_small_counts_show_as_less_than_ten():
    table = protect_table([[3, 40, 50]])
    assert [cell.shown for cell in table.cells[0]] == ["<10", "x", "50"]
    assert table.cells[0][0].count is None
    assert table.row_totals[0].shown == "95"


def test_zero_is_shown_as_zero_and_never_hidden():
    table = protect_table([[0, 25], [0, 30]])
    assert table.cells[0][0] == Published(0, "0")
    assert table.column_totals[0] == Published(0, "0")


def test_total_of_only_small_cells_is_hidden():
    table = protect_table([[2, 3]])
    assert [cell.shown for cell in table.cells[0]] == ["<10", "<10"]
    assert table.row_totals[0].shown == "<10"


def test_two_small_cells_that_add_up_to_less_than_ten_need_a_third():
    # 2 + 3 = 5 could be read off as "total minus 40": hide the 40 as well.
    table = protect_table([[2, 3, 40, 100]])
    shown = [cell.shown for cell in table.cells[0]]
    assert shown == ["<10", "<10", "x", "100"]


def test_secondary_cells_propagate_to_columns():
    table = protect_table([[4, 30], [20, 25]])
    # row 0: the 4 needs a partner (30); column 1: the 30 then needs a partner (25) ...
    hidden = {(i, j) for i, row in enumerate(table.cells) for j, c in enumerate(row) if c.hidden}
    assert (0, 0) in hidden and (0, 1) in hidden
    assert len(hidden) >= 3


def test_rounding_to_five():
    assert [round_to_base(v, 5) for v in (0, 10, 12, 13, 17, 18)] == [0, 10, 10, 15, 15, 20]
    assert round_to_base(13, 1) == 13


def test_rounding_can_be_switched_off():
    table = protect_table([[13, 27]], base=0)
    assert [cell.shown for cell in table.cells[0]] == ["13", "27"]


@pytest.mark.parametrize(
    ("cells", "kwargs"),
    [([[1], [1, 2]], {}), ([[-1]], {}), ([[1]], {"threshold": 12, "base": 5})],
)
def test_bad_input_is_refused(cells, kwargs):
    with pytest.raises(ValueError):
        protect_table(cells, **kwargs)


@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_published_count_is_between_one_and_nine(cells):
    table = protect_table(cells)
    for row in _extended(table):
        for cell in row:
            assert cell.count is None or cell.count == 0 or cell.count >= 10
            if cell.count is not None:
                assert cell.count % 5 == 0
                assert cell.shown == str(cell.count)
            else:
                assert cell.shown in ("<10", "x")


@settings(max_examples=400, deadline=None)
@given(tables)
def test_every_small_count_is_hidden_and_zero_never_is(cells):
    exact = _exact_extended(cells)
    table = _extended(protect_table(cells))
    for i, row in enumerate(exact):
        for j, value in enumerate(row):
            if 0 < value < 10:
                assert table[i][j].hidden == "small"
            if value == 0:
                assert table[i][j] == Published(0, "0")


@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_published_total_reveals_a_hidden_count(cells):
    exact = _exact_extended(cells)
    table = _extended(protect_table(cells))
    for line_cells, total in _lines(len(exact), len(exact[0])):
        if table[total[0]][total[1]].hidden:
            continue
        hidden = [exact[i][j] for i, j in line_cells if table[i][j].hidden]
        # none hidden, or at least two hidden whose sum is itself not small
        assert not hidden or (len(hidden) >= 2 and sum(hidden) >= 10)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_published_counts_are_within_rounding_of_the_truth(cells):
    exact = _exact_extended(cells)
    table = _extended(protect_table(cells))
    for i, row in enumerate(exact):
        for j, value in enumerate(row):
            if table[i][j].count is not None:
                assert abs(table[i][j].count - value) <= 2
