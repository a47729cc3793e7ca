"""A student's own points, without Streamlit: edits, and CSV files read or refused line by line."""

import numpy as np
import pytest

from lab.moons.settings import DEFAULTS
from lab.moons.points import MAX_COORDINATE, MAX_ROWS, CsvError, Points, parse_csv
from lab.moons.run import load_data


def test_generated_points_keep_their_split_and_clicks_add_training_points():
    data = load_data(DEFAULTS)
    points = Points.from_data(data)
    assert len(points) == 200 and points.train.sum() == 160 and points.n_classes == 2
    again = points.data()
    assert np.array_equal(again.X_train, data.X_train) and np.array_equal(again.y_test, data.y_test)
    added = points.add(0.25, -0.5, label=3)
    assert len(added) == 201 and added.train[-1] and added.y[-1] == 3 and added.n_classes == 4
    assert len(points) == 200  # an edit is a new set: a cached run's points never change
    with pytest.raises(ValueError):
        points.X[0, 0] = 1.0  # read-only


def test_remove_takes_the_nearest_point():
    points = Points.empty().add(0, 0, 0).add(1, 1, 1).add(2, 2, 1)
    left = points.remove_nearest(0.9, 1.2)
    assert left.X.tolist() == [[0, 0], [2, 2]] and left.y.tolist() == [0, 1]
    assert len(Points.empty().remove_nearest(0, 0)) == 0


def test_what_stops_training():
    assert "no training points" in Points.empty().problem()
    one = Points.empty().add(0, 0, 1).add(1, 0, 1)
    assert "class 1 only" in one.problem()
    assert one.add(2, 2, 0).problem() is None


def test_csv_round_trip_keeps_every_point_and_split():
    points = Points.from_data(load_data(DEFAULTS)).add(0.1, 0.2, 2)
    back = parse_csv(points.to_csv().encode())
    assert np.array_equal(back.X, points.X) and np.array_equal(back.y, points.y)
    assert np.array_equal(back.train, points.train)


def test_a_plain_csv_loads_and_is_split_by_the_train_ratio():
    rows = "\n".join(f"{i / 10},{(i % 7) / 3},{i % 3}" for i in range(30))
    points = parse_csv(rows + "\n\n", train_ratio=0.8, seed=0)  # no header, a trailing blank line
    assert len(points) == 30 and points.n_classes == 3
    assert (~points.train).sum() == 6 and set(points.y[~points.train]) == {0, 1, 2}  # stratified
    header = parse_csv("label,y,x\n0,1.5,2\n1,3,4\n", train_ratio=0.8)  # named columns, any order
    assert header.X.tolist() == [[2, 1.5], [4, 3]] and header.y.tolist() == [0, 1]
    assert header.train.all()  # too few points to hold any out


@pytest.mark.parametrize("text, line, why", [
    ("x,y,label\n0,0,0\n1,1\n", 3, "2 values; expected 3"),
    ("x,y\n0,0\n", 1, "no column label"),
    ("x,y,label\n0,0,0\n1,abc,1\n", 3, "y is 'abc', not a number"),
    ("0,0,0\n1,1,1\nnan,2,0\n", 3, "x is nan: every coordinate must be a number from -1,000 to 1,000"),
    ("0,0,0\n1,inf,1\n", 2, "y is inf"),
    ("0,0,0\n1e308,1,1\n", 2, "x is 1e308: every coordinate must be a number from -1,000 to 1,000"),
    ("0,0,0\n1,-1000.5,1\n", 2, "y is -1000.5"),
    ("0,0,0\n1," + "1" * 140_000 + ",1\n", 2, "not readable as CSV (field larger than field limit"),
    ("0,0,0\n1,1,cat\n", 2, "label is 'cat', not a class number from 0 to 5"),
    ("0,0,0\n1,1,6\n", 2, "label is '6'"),
    ("0,0,0\n1,1,1.5\n", 2, "label is '1.5'"),
    ("0,0,0,train\n1,1,1,maybe\n", 2, "split is 'maybe'"),
    ("0,0,0,train,extra\n", 1, "5 values"),
], ids=["missing value", "missing column", "not a number", "NaN", "infinity", "huge", "beyond the plane",
        "field over the csv limit", "label text", "label too large",
        "label fraction", "bad split", "too many columns"])
def test_bad_csv_is_refused_with_its_line(text, line, why):
    with pytest.raises(CsvError) as refused:
        parse_csv(text)
    assert refused.value.line == line and why in str(refused.value)
    assert str(refused.value).startswith(f"Line {line}: ")


def test_whole_file_refusals():
    with pytest.raises(CsvError, match="at least two classes"):
        parse_csv("0,0,1\n1,1,1\n")
    with pytest.raises(CsvError, match="no data rows"):
        parse_csv("x,y,label\n\n")
    with pytest.raises(CsvError, match="not UTF-8"):
        parse_csv(b"\xff\xfe\x00x")
    too_many = "\n".join(f"{i % 100},{i % 7},{i % 2}" for i in range(MAX_ROWS + 5))
    with pytest.raises(CsvError) as refused:
        parse_csv(too_many)
    assert refused.value.line == MAX_ROWS + 1 and f"more than {MAX_ROWS:,} points" in str(refused.value)


def test_coordinates_at_the_limit_are_kept_exactly():
    points = parse_csv(f"{-MAX_COORDINATE},{MAX_COORDINATE},0\n0.5,-0.25,1\n")
    assert points.X.tolist() == [[-MAX_COORDINATE, MAX_COORDINATE], [0.5, -0.25]]
