"""Row rules (what a Statut requires, date order) and cross-sheet rules (unique IDs,
known IDs, follow-ups of created businesses, privacy) over validated columns.

A rule that refuses a typed value nulls it, as a bad cell is nulled, so the
figures and the rules after it no longer see it; the rules therefore run in a
fixed order (`cross_sheet`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from citeslab_xl.core import anomalies as A
from citeslab_xl.core import schema
from citeslab_xl.core.anomalies import Anomaly, Position, show
from citeslab_xl.core.dataset import share_column
from citeslab_xl.core.grid import RawColumn, RawTable
from citeslab_xl.core.periods import shift_years
from citeslab_xl.core.schema import Settings

ONE_DAY = timedelta(days=1)


@dataclass
class Located:
    """A validated sheet: one list of typed values per field, and where each column sits in the file."""

    table: RawTable
    columns: dict[str, list]  # field key -> one typed value (or None) per row
    excel_rows: list[int]
    by_key: dict[str, RawColumn]
    bad: dict[int, set[str]]  # row index -> the fields whose cell was refused
    always_bad: frozenset[str] = frozenset()  # required columns absent from the sheet: refused in every row

    def __len__(self) -> int:
        return len(self.excel_rows)

    def header(self, key: str | None) -> str | None:
        """The column's header as typed in the file, else the contract's."""
        raw = self.by_key.get(key) if key else None
        return raw.header if raw else (self.table.sheet.column(key).header if key in _keys(self.table.sheet) else key)

    def place(self, kind: type[Anomaly], index: int, key: str | None, value=None, **params) -> Anomaly:
        """An anomaly of `kind` at row `index`'s cell in column `key` (the row alone when the column is absent),
        made placed at once (as `kind(**params).at(...)` would, at half the cost: rules can find thousands)."""
        raw = self.by_key.get(key) if key else None
        where = Position(self.table.sheet_name, self.excel_rows[index], self.header(key), raw.index if raw else None)
        return kind(**params, position=where, valeur=None if value is None else show(value))

    def had_error(self, index: int, key: str) -> bool:
        return key in self.always_bad or key in self.bad.get(index, ())


def _keys(sheet: schema.Sheet) -> set[str]:
    return {c.key for c in sheet.columns}


def _date_order(sheet: Located, index: int, later: str, earlier: str) -> Anomaly | None:
    late, early = sheet.columns[later], sheet.columns[earlier]
    if late[index] and early[index] and late[index] < early[index]:
        anomaly = sheet.place(A.DateOrder, index, later, late[index],
                              autre=sheet.header(earlier) or earlier, autre_valeur=early[index])
        late[index] = None
        return anomaly
    return None


def _requires(sheet: Located, index: int, key: str, statut: str) -> Anomaly | None:
    if sheet.columns[key][index] is None and key in sheet.by_key and not sheet.had_error(index, key):
        return sheet.place(A.StatusIncomplete, index, key, statut=statut)
    return None


def porteur_rules(sheet: Located, as_of: date) -> list[Anomaly]:
    found: list[Anomaly | None] = []
    columns = sheet.columns
    statuts, partenaires = columns["statut"], columns["partenaire"]
    born_column, first_column = columns["date_naissance"], columns["date_premier_contact"]
    for index, statut in enumerate(statuts):
        if statut == "Orienté":
            found.append(_requires(sheet, index, "partenaire", statut))
        if statut == "Créé":
            found.append(_requires(sheet, index, "date_creation", statut))
        if partenaires[index]:
            found.append(_requires(sheet, index, "date_orientation", f"{statut or ''} avec un partenaire".strip()))
        found.append(_date_order(sheet, index, "date_orientation", "date_premier_contact"))
        found.append(_date_order(sheet, index, "date_creation", "date_premier_contact"))
        found.append(_date_order(sheet, index, "date_cessation", "date_creation"))
        born, first = born_column[index], first_column[index]
        if born and first:
            age = _age(born, first)
            if not 15 <= age <= 90:
                found.append(sheet.place(A.AgeOutOfRange, index, "date_naissance", born, age=age))
                born_column[index] = None
    return [a for a in found if a is not None]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def unique_ids(sheet: Located, key: str = "id") -> list[Anomaly]:
    first_seen: dict[str, int] = {}
    found = []
    values = sheet.columns[key]
    for index, value in enumerate(values):
        if value is None:
            continue
        folded = value.casefold()
        if folded in first_seen:
            found.append(sheet.place(A.IdDuplicate, index, key, value, premiere=first_seen[folded]))
            values[index] = None
        else:
            first_seen[folded] = sheet.excel_rows[index]
    return found


def known_ids(sheet: Located, ids: set[str] | dict[str, int], key: str = "id_porteur") -> list[Anomaly]:
    found = []
    values = sheet.columns[key]
    for index, value in enumerate(values):
        if value is not None and value.casefold() not in ids:
            found.append(sheet.place(A.IdUnknown, index, key, value))
            values[index] = None
    return found


def atelier_rules(sheet: Located, ids: set[str] | dict[str, int]) -> list[Anomaly]:
    found = []
    for index, (named, participants) in enumerate(zip(sheet.columns["ids_participants"],
                                                      sheet.columns["participants"], strict=True)):
        listed = [p.strip() for p in (named or "").split(";") if p.strip()]
        unknown = [p for p in listed if p.casefold() not in ids]
        if unknown:
            found.append(sheet.place(A.IdUnknown, index, "ids_participants", unknown[0]))
        if participants is not None and len(listed) > participants:
            found.append(sheet.place(A.ParticipantsOver, index, "participants", participants, nombre=len(listed)))
    return found


def photolangage_rules(sheet: Located, ateliers: Located | None) -> list[Anomaly]:
    days = {day for kind, day in zip(ateliers.columns["type"], ateliers.columns["date"], strict=True)
            if kind == "Photolangage" and day} if ateliers else set()
    return [sheet.place(A.PhotolangageDateUnknown, index, "date", day)
            for index, day in enumerate(sheet.columns["date"]) if day and day not in days]


def suivi_rules(sheet: Located, porteurs: Located, by_id: dict[str, int]) -> list[Anomaly]:
    found = []
    statuts, creations = porteurs.columns["statut"], porteurs.columns["date_creation"]
    for index, (ident, day) in enumerate(zip(sheet.columns["id_porteur"], sheet.columns["date"], strict=True)):
        if ident is None:
            continue
        porteur = by_id[ident.casefold()]
        if statuts[porteur] != "Créé":
            found.append(sheet.place(A.SuiviNotCreated, index, "id_porteur", ident))
            continue
        created = creations[porteur]
        if created and day and day < created:
            found.append(sheet.place(A.DateOrder, index, "date", day,
                                     autre="Date de création du porteur", autre_valeur=created))
    return found


def referent_rules(sheet: Located) -> list[Anomaly]:
    found: list[Anomaly | None] = []
    columns = sheet.columns
    for index, (phone, email, accord) in enumerate(zip(columns["telephone"], columns["email"], columns["accord"],
                                                       strict=True)):
        if phone is None and email is None \
                and not (sheet.had_error(index, "telephone") or sheet.had_error(index, "email")):
            found.append(sheet.place(A.ReferentNoContact, index, "telephone"))
        if accord:
            found.append(_requires(sheet, index, "date_accord", "Accord de contact = Oui"))
    return [a for a in found if a is not None]


def financement_rules(sheet: Located, funders: tuple[str, ...]) -> list[Anomaly]:
    found = []
    seen: dict[tuple, int] = {}
    columns = sheet.columns
    shares = [columns[share_column(f)] for f in funders]
    for index, (annee, poste) in enumerate(zip(columns["annee"], columns["poste"], strict=True)):
        total = sum((share[index] or Decimal(0) for share in shares), Decimal(0))
        if total > 100:
            found.append(sheet.place(A.SharesOver100, index, _share_over(funders, shares, index), total, total=total))
        pair = (annee, (poste or "").casefold())
        if pair[0] is not None and pair[1]:
            if pair in seen:
                found.append(sheet.place(A.FundingDuplicate, index, "poste", f"{pair[0]}, {poste}",
                                         premiere=seen[pair]))
            else:
                seen[pair] = sheet.excel_rows[index]
    return found


def privacy_warnings(porteurs: Located, rdv: Located | None, as_of: date, years: int) -> list[Anomaly]:
    last_rdv: dict[str, date] = {}
    met: set[str] = set()
    for ident, day in zip(rdv.columns["id_porteur"], rdv.columns["date"], strict=True) if rdv else ():
        if not ident:
            continue
        key = ident.casefold()
        met.add(key)
        if day and day <= as_of:
            last_rdv[key] = max(day, last_rdv.get(key, day))
    found = []
    columns = porteurs.columns
    # The last contact is past retention when `shift_years(last, years) < as_of`, i.e. before `cutoff`; a
    # business is kept 3 years after its creation: past retention when created before `created_cutoff`.
    # Comparing with the two cutoffs spares every row its two date shifts.
    cutoff = _first_day_shifted_to(as_of, years)
    created_cutoff = _first_day_shifted_to(cutoff, 3)
    for index, (ident, consent, phone, email, first, created) in enumerate(zip(
            columns["id"], columns["consentement"], columns["telephone"], columns["email"],
            columns["date_premier_contact"], columns["date_creation"], strict=True)):
        if consent is False and (phone or email):
            found.append(porteurs.place(A.NoConsent, index, "consentement", "Non"))
        if ident is None:
            continue
        key = ident.casefold()
        seen = last_rdv.get(key)
        if ((first or seen or created) and (first is None or first < cutoff) and (seen is None or seen < cutoff)
                and (created is None or created < created_cutoff)):
            last = max(d for d in (first, seen, created and shift_years(created, 3)) if d)
            found.append(porteurs.place(A.RetentionExpired, index, "id", last,
                                          dernier_contact=last, annees=years))
        if rdv is not None and key not in met:
            found.append(porteurs.place(A.NoRendezVous, index, "id", ident))
    return found


def _first_day_shifted_to(limit: date, years: int) -> date:
    """The first day that `shift_years(day, years)` takes to `limit` or later (the shift never goes back)."""
    day = shift_years(limit, -years)
    while shift_years(day - ONE_DAY, years) >= limit:
        day -= ONE_DAY
    while shift_years(day, years) < limit:
        day += ONE_DAY
    return day


def cross_sheet(located: dict[str, Located], funders: tuple[str, ...], as_of: date,
                settings: Settings) -> list[Anomaly]:
    """Every row and cross-sheet rule, in the order in which their nulls matter."""
    porteurs = located["porteurs"]
    found = unique_ids(porteurs)
    found += porteur_rules(porteurs, as_of)
    by_id = {ident.casefold(): index for index, ident in enumerate(porteurs.columns["id"]) if ident}
    for key in ("rendez_vous", "photolangage", "suivi"):
        if key in located:
            found += known_ids(located[key], by_id)
    if "ateliers" in located:
        found += atelier_rules(located["ateliers"], by_id)
    if "photolangage" in located:
        found += photolangage_rules(located["photolangage"], located.get("ateliers"))
    if "suivi" in located:
        found += suivi_rules(located["suivi"], porteurs, by_id)
    if "referents" in located:
        found += unique_ids(located["referents"])
        found += referent_rules(located["referents"])
    if "financement" in located:
        found += financement_rules(located["financement"], funders)
    found += privacy_warnings(porteurs, located.get("rendez_vous"), as_of, settings.duree_conservation)
    return found


def _share_over(funders: tuple[str, ...], shares: list[list], index: int) -> str | None:
    """The share column whose part takes the row's sum past 100 % (a filled cell, the one to lower)."""
    running = Decimal(0)
    for funder, share in zip(funders, shares, strict=True):
        running += share[index] or Decimal(0)
        if running > 100:
            return share_column(funder)
    return None
