"""Validation: located raw tables in, a `Dataset` and its anomalies out.

Each data sheet gets a pydantic model built from the contract; every field
validator converts its cell with `cells.py` and applies the column's rule, so
pydantic reports every bad cell of a row at once. A bad cell becomes an
anomaly and a null, and the rest of the row still counts. Row rules (what a
Statut requires, date order) and cross-sheet rules (unique IDs, known IDs,
follow-ups of created businesses) follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, create_model
from pydantic_core import PydanticCustomError

from citeslab_xl.core import anomalies as A
from citeslab_xl.core import cells, schema
from citeslab_xl.core.anomalies import Anomaly, BadCell, CellAnomaly, Position
from citeslab_xl.core.dataset import Dataset, from_records, share_column
from citeslab_xl.core.grid import RawColumn, RawTable, RawWorkbook, is_blank
from citeslab_xl.core.periods import shift_years
from citeslab_xl.core.schema import Column, Kind, Settings

FIRST_DAY = date(2005, 1, 1)
PYTHON_TYPES = {
    Kind.TEXT: str, Kind.LIST: str, Kind.INT: int, Kind.DECIMAL: Decimal,
    Kind.DATE: date, Kind.OUINON: bool, Kind.PERCENT: Decimal,
}
HINTS = {
    Kind.DATE: "une date comme 12/03/2025",
    Kind.INT: "un nombre entier",
    Kind.DECIMAL: "un nombre",
    Kind.OUINON: "Oui ou Non",
    Kind.TEXT: "une valeur",
}


@dataclass(frozen=True)
class Context:
    as_of: date
    settings: Settings
    date1904: bool = False


# --- column rules -----------------------------------------------------------

def _date_between(low: Callable[[Context], date] | None, high: Callable[[Context], date] | None):
    def rule(value: date, ctx: Context) -> date:
        if low is not None and value < low(ctx):
            raise BadCell(A.DateTooEarly(limite=low(ctx)))
        if high is not None and value > high(ctx):
            raise BadCell(A.DateFuture(limite=high(ctx)))
        return value
    return rule


def _number_between(low, high, low_open: bool = False):
    def rule(value, ctx: Context):
        hi = high(ctx) if callable(high) else high
        too_low = value <= low if low_open else value < low
        if too_low or (hi is not None and value > hi):
            raise BadCell(A.NumberRange(mini=low, maxi=hi))
        return value
    return rule


def _text(check: Callable[[str], str]):
    return lambda value, ctx: check(value)


def _as_of(ctx: Context) -> date:
    return ctx.as_of


def _first_day(ctx: Context) -> date:
    return FIRST_DAY


def _one_year_ahead(ctx: Context) -> date:
    return ctx.as_of + timedelta(days=365)


COLUMN_RULES: dict[tuple[str, str], Callable] = {
    ("porteurs", "date_premier_contact"): _date_between(_first_day, _as_of),
    ("porteurs", "date_creation"): _date_between(None, _as_of),
    ("porteurs", "date_naissance"): _date_between(None, _as_of),
    ("porteurs", "siret"): _text(cells.check_siret),
    ("porteurs", "telephone"): _text(cells.check_phone),
    ("porteurs", "email"): _text(cells.check_email),
    ("rendez_vous", "date"): _date_between(_first_day, _one_year_ahead),
    ("rendez_vous", "duree"): _number_between(5, 480),
    ("ateliers", "participants"): _number_between(0, 100),
    ("photolangage", "images"): _text(cells.check_images),
    ("sensibilisation", "personnes"): _number_between(0, 2000),
    ("referents", "telephone"): _text(cells.check_phone),
    ("referents", "email"): _text(cells.check_email),
    ("suivi", "emplois"): _number_between(0, 500),
    ("suivi", "ca"): _number_between(0, None),
    ("financement", "annee"): _number_between(2005, lambda ctx: ctx.as_of.year + 3),
    ("financement", "etp"): _number_between(0, 1, low_open=True),
    ("financement", "cout"): _number_between(0, None),
}
SHARE_RULE = _number_between(0, 100)


def _convert(column: Column, value, ctx: Context):
    kind = column.kind
    if kind is Kind.DATE:
        return cells.to_date(value, ctx.date1904)
    if kind is Kind.INT:
        return cells.to_int(value)
    if kind in (Kind.DECIMAL, Kind.PERCENT):
        return cells.to_decimal(value)
    if kind is Kind.OUINON:
        return cells.to_bool(value)
    if kind is Kind.LIST:
        assert column.list_name is not None, column.key  # the contract names the list of every list column
        return cells.to_list_value(value, ctx.settings.values(column.list_name), column.list_name)
    return cells.to_text(value)


def _field_validator(sheet_key: str, column: Column, rule: Callable | None):
    def validate(value: Any, info: ValidationInfo):
        context = info.context or {}
        ctx: Context = context["ctx"]
        if is_blank(value):
            if column.required and not context.get("lenient"):
                raise _for_pydantic(A.RequiredMissing(hint=HINTS.get(column.kind, "une valeur de la liste")))
            return None
        try:
            typed = _convert(column, value, ctx)
            return rule(typed, ctx) if rule is not None else typed
        except BadCell as bad:
            raise _for_pydantic(bad.anomaly) from None
    return validate


def _for_pydantic(anomaly: CellAnomaly) -> PydanticCustomError:
    """Pydantic collects every bad cell of a row; the anomaly rides in the error's context."""
    return PydanticCustomError(anomaly.code, "cell", {"anomaly": anomaly})


def _nullable(python_type: type, validator: Callable) -> Any:
    """`python_type | None`, the cell going through `validator` first."""
    return Annotated[python_type | None, BeforeValidator(validator)]


def build_model(sheet: schema.Sheet, funders: tuple[str, ...] = ()) -> type[BaseModel]:
    """The pydantic model of a sheet's row (every field optional at type level: requiredness is a rule)."""
    fields: dict[str, Any] = {}
    for column in sheet.columns:
        rule = COLUMN_RULES.get((sheet.key, column.key))
        fields[column.key] = (_nullable(PYTHON_TYPES[column.kind], _field_validator(sheet.key, column, rule)), None)
    for funder in funders:
        share = schema.Column(share_column(funder), schema.funder_header(funder), Kind.PERCENT)
        fields[share_column(funder)] = (_nullable(Decimal, _field_validator(sheet.key, share, SHARE_RULE)), None)
    model_name = "".join(part.capitalize() for part in sheet.key.split("_"))
    return create_model(model_name, __config__=ConfigDict(extra="ignore"), **fields)


# --- one sheet ----------------------------------------------------------------

@dataclass
class Located:
    """A validated sheet: typed rows and where each column sits in the file."""

    table: RawTable
    rows: list[dict]
    by_key: dict[str, RawColumn]

    def header(self, key: str | None) -> str | None:
        """The column's header as typed in the file, else the contract's."""
        raw = self.by_key.get(key) if key else None
        return raw.header if raw else (self.table.sheet.column(key).header if key in _keys(self.table.sheet) else key)

    def place(self, anomaly: Anomaly, row: dict, key: str | None, value=None) -> Anomaly:
        """The anomaly at the row's cell in column `key` (the row alone when the column is absent)."""
        raw = self.by_key.get(key) if key else None
        where = Position(self.table.sheet_name, row["_row"], self.header(key), raw.index if raw else None)
        return anomaly.at(where, value)


def _keys(sheet: schema.Sheet) -> set[str]:
    return {c.key for c in sheet.columns}


def _raw_key(raw: RawColumn) -> str | None:
    if raw.column is not None:
        return raw.column.key
    if raw.funder is not None:
        return share_column(raw.funder)
    return None


def validate_table(table: RawTable, ctx: Context, funders: tuple[str, ...]) -> tuple[Located, list[Anomaly]]:
    sheet = table.sheet
    model = build_model(sheet, funders if sheet is schema.FINANCEMENT else ())
    by_key = {k: c for c in table.columns if (k := _raw_key(c)) is not None}
    keys = [_raw_key(c) for c in table.columns]
    absent_required = {c.key for c in sheet.columns if c.required and c.key not in by_key}
    context = {"ctx": ctx}
    lenient = {"ctx": ctx, "lenient": True}
    found: list[Anomaly] = []
    rows: list[dict] = []
    for excel_row, values in table.rows:
        data = {k: v for k, v in zip(keys, values, strict=True) if k is not None}
        try:
            typed = model.model_validate(data, context=context).model_dump()
        except ValidationError as exc:
            for error in exc.errors():
                key = str(error["loc"][0])
                if key in absent_required:
                    continue
                raw = by_key[key]
                anomaly: CellAnomaly = error["ctx"]["anomaly"]
                value = data.get(key)
                where = Position(table.sheet_name, excel_row, raw.header, raw.index)
                found.append(anomaly.at(where, None if is_blank(value) else value))
                data[key] = None
            typed = model.model_validate(data, context=lenient).model_dump()
            typed["_bad"] = {e["loc"][0] for e in exc.errors()}
        typed["_row"] = excel_row
        rows.append(typed)
    for key in sorted(absent_required):
        column = sheet.column(key)
        found.append(A.ColumnMissing().at(Position(table.sheet_name, table.header_row, column.header)))
    return Located(table, rows, by_key), found


# --- row and cross-sheet rules ---------------------------------------------------

def _date_order(sheet: Located, row: dict, later: str, earlier: str) -> Anomaly | None:
    if row.get(later) and row.get(earlier) and row[later] < row[earlier]:
        anomaly = sheet.place(A.DateOrder(autre=sheet.header(earlier) or earlier, autre_valeur=row[earlier]),
                              row, later, row[later])
        row[later] = None
        return anomaly
    return None


def _requires(sheet: Located, row: dict, key: str, statut: str) -> Anomaly | None:
    if row.get(key) is None and key in sheet.by_key and not _had_error(sheet, row, key):
        return sheet.place(A.StatusIncomplete(statut=statut), row, key)
    return None


def _had_error(sheet: Located, row: dict, key: str) -> bool:
    return key in row.get("_bad", ())


def porteur_rules(sheet: Located, as_of: date) -> list[Anomaly]:
    found: list[Anomaly | None] = []
    for row in sheet.rows:
        statut = row.get("statut")
        if statut == "Orienté":
            found.append(_requires(sheet, row, "partenaire", statut))
        if statut == "Créé":
            found.append(_requires(sheet, row, "date_creation", statut))
        if row.get("partenaire"):
            found.append(_requires(sheet, row, "date_orientation", f"{statut or ''} avec un partenaire".strip()))
        found.append(_date_order(sheet, row, "date_orientation", "date_premier_contact"))
        found.append(_date_order(sheet, row, "date_creation", "date_premier_contact"))
        found.append(_date_order(sheet, row, "date_cessation", "date_creation"))
        born, first = row.get("date_naissance"), row.get("date_premier_contact")
        if born and first:
            age = _age(born, first)
            if not 15 <= age <= 90:
                found.append(sheet.place(A.AgeOutOfRange(age=age), row, "date_naissance", born))
                row["date_naissance"] = None
    return [a for a in found if a is not None]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def unique_ids(sheet: Located, key: str = "id") -> list[Anomaly]:
    first_seen: dict[str, int] = {}
    found = []
    for row in sheet.rows:
        value = row.get(key)
        if value is None:
            continue
        folded = value.casefold()
        if folded in first_seen:
            found.append(sheet.place(A.IdDuplicate(premiere=first_seen[folded]), row, key, value))
            row[key] = None
        else:
            first_seen[folded] = row["_row"]
    return found


def known_ids(sheet: Located, ids: set[str], key: str = "id_porteur") -> list[Anomaly]:
    found = []
    for row in sheet.rows:
        value = row.get(key)
        if value is not None and value.casefold() not in ids:
            found.append(sheet.place(A.IdUnknown(), row, key, value))
            row[key] = None
    return found


def atelier_rules(sheet: Located, ids: set[str]) -> list[Anomaly]:
    found = []
    for row in sheet.rows:
        listed = [p.strip() for p in (row.get("ids_participants") or "").split(";") if p.strip()]
        unknown = [p for p in listed if p.casefold() not in ids]
        if unknown:
            found.append(sheet.place(A.IdUnknown(), row, "ids_participants", unknown[0]))
        participants = row.get("participants")
        if participants is not None and len(listed) > participants:
            found.append(sheet.place(A.ParticipantsOver(nombre=len(listed)), row, "participants", participants))
    return found


def photolangage_rules(sheet: Located, ateliers: Located | None) -> list[Anomaly]:
    days = {r["date"] for r in (ateliers.rows if ateliers else []) if r.get("type") == "Photolangage" and r.get("date")}
    found = []
    for row in sheet.rows:
        if row.get("date") and row["date"] not in days:
            found.append(sheet.place(A.PhotolangageDateUnknown(), row, "date", row["date"]))
    return found


def suivi_rules(sheet: Located, porteurs: dict[str, dict]) -> list[Anomaly]:
    found = []
    for row in sheet.rows:
        ident = row.get("id_porteur")
        if ident is None:
            continue
        porteur = porteurs[ident.casefold()]
        if porteur.get("statut") != "Créé":
            found.append(sheet.place(A.SuiviNotCreated(), row, "id_porteur", ident))
            continue
        created = porteur.get("date_creation")
        if created and row.get("date") and row["date"] < created:
            found.append(sheet.place(A.DateOrder(autre="Date de création du porteur", autre_valeur=created),
                                     row, "date", row["date"]))
    return found


def referent_rules(sheet: Located) -> list[Anomaly]:
    found: list[Anomaly | None] = []
    for row in sheet.rows:
        if row.get("telephone") is None and row.get("email") is None \
                and not {"telephone", "email"} & row.get("_bad", set()):
            found.append(sheet.place(A.ReferentNoContact(), row, "telephone"))
        if row.get("accord"):
            found.append(_requires(sheet, row, "date_accord", "Accord de contact = Oui"))
    return [a for a in found if a is not None]


def financement_rules(sheet: Located, funders: tuple[str, ...]) -> list[Anomaly]:
    found = []
    seen: dict[tuple, int] = {}
    for row in sheet.rows:
        total = sum((row.get(share_column(f)) or Decimal(0) for f in funders), Decimal(0))
        if total > 100:
            first = share_column(funders[0]) if funders else None
            found.append(sheet.place(A.SharesOver100(total=total), row, first, total))
        pair = (row.get("annee"), (row.get("poste") or "").casefold())
        if pair[0] is not None and pair[1]:
            if pair in seen:
                found.append(sheet.place(A.FundingDuplicate(premiere=seen[pair]), row, "poste",
                                         f"{pair[0]}, {row['poste']}"))
            else:
                seen[pair] = row["_row"]
    return found


def privacy_warnings(porteurs: Located, rdv: Located | None, as_of: date, years: int) -> list[Anomaly]:
    last_rdv: dict[str, date] = {}
    for row in rdv.rows if rdv else []:
        ident, day = row.get("id_porteur"), row.get("date")
        if ident and day and day <= as_of:
            key = ident.casefold()
            last_rdv[key] = max(day, last_rdv.get(key, day))
    met = {r["id_porteur"].casefold() for r in rdv.rows if r.get("id_porteur")} if rdv else set()
    found = []
    for row in porteurs.rows:
        ident = row.get("id")
        if row.get("consentement") is False and (row.get("telephone") or row.get("email")):
            found.append(porteurs.place(A.NoConsent(), row, "consentement", "Non"))
        if ident is None:
            continue
        last = max([d for d in (row.get("date_premier_contact"), last_rdv.get(ident.casefold())) if d], default=None)
        if row.get("date_creation"):
            last = max(filter(None, [last, shift_years(row["date_creation"], 3)]))
        if last and shift_years(last, years) < as_of:
            found.append(porteurs.place(A.RetentionExpired(dernier_contact=last, annees=years), row, "id", last))
        if rdv is not None and ident.casefold() not in met:
            found.append(porteurs.place(A.NoRendezVous(), row, "id", ident))
    return found


# --- the whole workbook ------------------------------------------------------------

def funders_of(raw: RawWorkbook) -> tuple[str, ...]:
    table = raw.tables.get("financement")
    if table is None:
        return schema.DEFAULT_FUNDERS
    return tuple(c.funder for c in table.columns if c.funder is not None)


def validate(raw: RawWorkbook, as_of: date) -> Dataset:
    ctx = Context(as_of, raw.settings, raw.date1904)
    funders = funders_of(raw)
    located: dict[str, Located] = {}
    found: list[Anomaly] = []
    for key, table in raw.tables.items():
        sheet, anomalies = validate_table(table, ctx, funders)
        located[key] = sheet
        found += anomalies
    found += _cross_sheet(located, funders, as_of, raw.settings)
    records = {key: [{k: v for k, v in r.items() if k != "_bad"} for r in sheet.rows]
               for key, sheet in located.items()}
    dataset = from_records(records, raw.settings, funders)
    dataset.anomalies = sorted(found, key=_order(raw))
    dataset.sheet_names = {key: table.sheet_name for key, table in raw.tables.items()}
    return dataset


def _cross_sheet(located: dict[str, Located], funders, as_of: date, settings: Settings) -> list[Anomaly]:
    porteurs = located["porteurs"]
    found = unique_ids(porteurs)
    found += porteur_rules(porteurs, as_of)
    by_id = {r["id"].casefold(): r for r in porteurs.rows if r.get("id")}
    ids = set(by_id)
    for key in ("rendez_vous", "photolangage", "suivi"):
        if key in located:
            found += known_ids(located[key], ids)
    if "ateliers" in located:
        found += atelier_rules(located["ateliers"], ids)
    if "photolangage" in located:
        found += photolangage_rules(located["photolangage"], located.get("ateliers"))
    if "suivi" in located:
        found += suivi_rules(located["suivi"], by_id)
    if "referents" in located:
        found += unique_ids(located["referents"])
        found += referent_rules(located["referents"])
    if "financement" in located:
        found += financement_rules(located["financement"], funders)
    found += privacy_warnings(porteurs, located.get("rendez_vous"), as_of, settings.duree_conservation)
    return found


def _order(raw: RawWorkbook):
    positions = {name: i for i, name in enumerate(raw.sheet_names)}

    def key(a: Anomaly):
        return (positions.get(a.feuille, 99), a.ligne or 0, a.cellule or "", a.code)
    return key
