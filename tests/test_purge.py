"""The purge list: records past their retention period, listed and never deleted."""

from __future__ import annotations

from datetime import date

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.core import anomalies as A
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.purge import HEADERS, PurgeRow, purge_list
from citeslab_xl.doors import api

AS_OF = date(2026, 11, 26)


def porteur(ident: str, first: date, statut: str = "Accueil", **extra) -> dict:
    return dict(id=ident, nom="Nom", prenom="Prénom", quartier="Planoise", date_premier_contact=first, statut=statut,
                consentement=True, **extra)


def test_lists_the_records_past_retention_from_a_real_workbook(tmp_path):
    rows = {
        "porteurs": [
            porteur("P-OLD", date(2019, 5, 14), "Abandon"),  # last contact 2019: 3 years are long past
            porteur("P-SEEN", date(2019, 5, 14)),  # but seen again in 2025
            porteur("P-NEW", date(2026, 2, 3)),
            porteur("P-CREA-OLD", date(2019, 3, 1), "Créé", date_creation=date(2020, 1, 10)),  # follow-up ended 2023
            porteur("P-CREA", date(2021, 9, 1), "Créé", date_creation=date(2022, 6, 1)),  # follow-up ends 2025
        ],
        "rendez_vous": [
            dict(date=date(2019, 5, 14), id_porteur="P-OLD", type="Premier accueil"),
            dict(date=date(2025, 4, 7), id_porteur="P-SEEN", type="Entretien"),
            dict(date=date(2026, 2, 3), id_porteur="P-NEW", type="Premier accueil"),
            dict(date=date(2019, 3, 1), id_porteur="P-CREA-OLD", type="Premier accueil"),
            dict(date=date(2021, 9, 1), id_porteur="P-CREA", type="Premier accueil"),
        ],
    }
    path = tmp_path / "suivi.xlsx"
    build_workbook(rows).save(path)
    before = path.read_bytes()
    dataset = api.check_file(path, AS_OF)
    listed = purge_list(dataset)
    assert listed == [
        PurgeRow("Porteurs", 2, "P-OLD", date(2019, 5, 14)),
        PurgeRow("Porteurs", 5, "P-CREA-OLD", date(2023, 1, 10)),
    ]
    assert listed[0].values() == ["Porteurs", 2, "P-OLD", "14/05/2019"]
    assert listed[1].to_json() == {"feuille": "Porteurs", "ligne": 5, "id": "P-CREA-OLD",
                                   "dernier_contact": "2023-01-10"}
    assert len(HEADERS) == len(listed[0].values())
    assert path.read_bytes() == before  # listed, never deleted
    assert len(dataset.porteurs) == 5


def test_only_retention_warnings_count_and_the_id_comes_from_the_row():
    dataset = from_records({"porteurs": [dict(_row=7, id="X-7"), dict(_row=9, id="X-9")]})
    dataset.anomalies = [
        A.RetentionExpired(dernier_contact=date(2020, 1, 2), annees=3).at(A.Position("Porteurs", 9, "ID", 1),
                                                                          "a value the list never reads"),
        A.DateFuture(limite=date(2026, 11, 26)).at(A.Position("Porteurs", 7, "Date premier contact", 11),
                                                   date(2030, 1, 1)),
        A.NoConsent().at(A.Position("Porteurs", 7, "Consentement RGPD", 22), "Non"),
    ]
    assert purge_list(dataset) == [PurgeRow("Porteurs", 9, "X-9", date(2020, 1, 2))]


def test_nothing_to_purge():
    assert purge_list(from_records({"porteurs": []})) == []
