"""The figures shared by the layouts of a run are computed once, and equal what each layout computes alone."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from conftest import AS_OF

from citeslab_xl import api
from citeslab_xl.core import active_file, funding, per_run, plan, schedule
from citeslab_xl.core.dataset import Dataset


@pytest.fixture(scope="module")
def dataset(demo_workbook) -> Dataset:
    return api.check_file(demo_workbook, AS_OF)


def _refresh_layouts(dataset: Dataset) -> list:
    run = plan.refresh_plan([], AS_OF, None, False, {})
    return [*api.refresh_layouts(dataset, run, AS_OF), api.committee_layout(dataset, "copil", None, AS_OF),
            api.committee_layout(dataset, "cotech", None, AS_OF)]


def test_the_layouts_of_a_run_equal_those_computed_without_sharing(dataset, monkeypatch):
    shared = _refresh_layouts(dataset)
    monkeypatch.setattr(per_run, "one_run", contextlib.nullcontext)
    alone = _refresh_layouts(dataset)
    assert [layout.name for layout in shared] == [layout.name for layout in alone]
    for with_cache, without in zip(shared, alone, strict=True):
        assert with_cache == without, with_cache.name


def _file_active_by_definition(dataset: Dataset, end: date) -> int:
    porteurs = dataset.porteurs
    current = set(porteurs.loc[porteurs["statut"].notna() & (porteurs["statut"] != "Abandon"), "id"].dropna())
    rdv = dataset.rendez_vous
    dates = rdv["date"].dt.date
    window = rdv[(dates >= end - timedelta(days=89)) & (dates <= end)]
    return len(set(window["id_porteur"].dropna()) & current)


def test_the_file_active_of_any_day_is_the_spec_s(dataset):
    first = dataset.rendez_vous["date"].min().date()
    days = [first + timedelta(days=n) for n in range(-5, (AS_OF - first).days + 5, 17)]
    with per_run.one_run():
        assert [active_file.file_active_on(dataset, day) for day in days] == \
            [_file_active_by_definition(dataset, day) for day in days]
    assert any(_file_active_by_definition(dataset, day) for day in days)


def test_inside_a_run_a_shared_figure_is_computed_once_per_dataset(dataset, demo_workbook):
    other = api.check_file(demo_workbook, AS_OF)
    with per_run.one_run():
        assert schedule.schedule(dataset, AS_OF) is schedule.schedule(dataset, AS_OF)
        assert funding.split_funding(dataset) is funding.split_funding(dataset)
        assert schedule.schedule(other, AS_OF) is not schedule.schedule(dataset, AS_OF)
        assert schedule.schedule(other, AS_OF) == schedule.schedule(dataset, AS_OF)
        with per_run.one_run():  # a run inside a run joins it
            assert funding.split_funding(dataset) is funding.split_funding(dataset)
    assert schedule.schedule(dataset, AS_OF) is not schedule.schedule(dataset, AS_OF)


def test_outside_a_run_a_changed_dataset_is_never_answered_from_an_old_result(demo_workbook):
    dataset = api.check_file(demo_workbook, AS_OF)
    end = AS_OF - timedelta(days=30)
    before = active_file.file_active_on(dataset, end)
    assert before > 0
    dataset.tables["rendez_vous"] = dataset.rendez_vous.iloc[0:0]
    assert active_file.file_active_on(dataset, end) == 0
