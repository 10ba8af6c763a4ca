"""The capacities noted in the Photolangage workshops (COTECH), most often noted first."""

from __future__ import annotations

from datetime import date

import pandas as pd

from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.periods import Period
from citeslab_xl.core.selection import between
from citeslab_xl.core.text import fold


def capacites_photolangage(dataset: Dataset, period: Period, as_of: date,
                           limit: int | None = None) -> list[tuple[str, int]]:
    """Capacities noted in the Photolangage rows of P, most often noted first.

    A capacity counts once per row (participant) that notes it; spellings that
    differ only by case, accents or spaces are one capacity, shown in its most
    frequent spelling. Ties are ordered alphabetically.
    """
    photolangage = dataset.photolangage
    rows = photolangage[between(photolangage["date"], period.debut, period.fin)].reset_index(drop=True)
    items = rows["capacites"].dropna().astype(str).str.split(";").explode().str.strip()
    items = items[items != ""]
    if items.empty:
        return []
    noted = pd.DataFrame({"row": items.index, "spelling": items.to_numpy(), "key": [fold(v) for v in items]})
    noted = noted.drop_duplicates(["row", "key"])
    spellings = (noted.groupby(["key", "spelling"]).size().reset_index(name="n")
                 .sort_values(["key", "n", "spelling"], ascending=[True, False, True])
                 .drop_duplicates("key").set_index("key")["spelling"])
    counts = noted.groupby("key").size()
    ranked = sorted(((str(spellings[str(key)]), int(n)) for key, n in counts.items()),
                    key=lambda item: (-item[1], fold(item[0])))
    return ranked[:limit] if limit is not None else ranked
