"""The file active on any day, from one index of the rendez-vous (indicators.md › file_active).

The file active on day E is the number of porteurs whose Statut is set and is
not « Abandon » met in a rendez-vous dated in the 90 days ending on E. The
Synthèse sheets, the COPIL caseload table (one figure per year of history)
and the monthly history ask for it on many days: the rendez-vous of those
porteurs are sorted by date once per run (`per_run`), and each day is then
two binary searches and a count of distinct porteurs in between.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.per_run import memoised

ABANDON = "Abandon"
FILE_ACTIVE_DAYS = 90


@memoised
def _current_rendez_vous(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The dates (sorted) and porteur codes of the dated rendez-vous of porteurs with a Statut other than Abandon."""
    porteurs = dataset.porteurs
    current = set(porteurs.loc[porteurs["statut"].notna() & (porteurs["statut"] != ABANDON), "id"].dropna())
    rdv = dataset.rendez_vous
    seen = rdv[rdv["id_porteur"].isin(current) & rdv["date"].notna()].sort_values("date", kind="stable")
    codes, _ = pd.factorize(seen["id_porteur"])
    return seen["date"].to_numpy(dtype="datetime64[ns]"), codes


@memoised
def file_active_on(dataset: Dataset, end: date) -> int:
    """Porteurs met in the 90 days ending on `end` (the rendez-vous after `end` do not count)."""
    dates, codes = _current_rendez_vous(dataset)
    first = np.datetime64(end - timedelta(days=FILE_ACTIVE_DAYS - 1), "ns")
    lo = dates.searchsorted(first, "left")
    hi = dates.searchsorted(np.datetime64(end, "ns"), "right")
    return int(np.unique(codes[lo:hi]).size)
