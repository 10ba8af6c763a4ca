"""Anomalies of personal data (RGPD): contact details without consent, records kept too long.

Both are warnings: what to erase or anonymise is the coordinator's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citeslab_xl.core.anomalies.base import Anomaly, Gravite


class PrivacyAnomaly(Anomaly):
    """Personal data the RGPD does not let the workbook keep as it is."""

    code = "privacy"
    gravite = Gravite.AVERTISSEMENT
    description = "Des données personnelles à effacer, anonymiser ou justifier (RGPD)."


class NoConsent(PrivacyAnomaly):
    code = "rgpd-no-consent"
    template = ("Coordonnées personnelles sans consentement RGPD : "
                "effacez-les ou recueillez le consentement (Oui).")
    description = "Un téléphone ou un e-mail gardé pour un porteur qui n'a pas donné son consentement."


@dataclass(frozen=True, kw_only=True)
class RetentionExpired(PrivacyAnomaly):
    code = "retention-expired"
    template = ("Dernier contact le {dernier_contact} : la durée de conservation ({annees} ans) est dépassée ; "
                "anonymisez ou supprimez ce dossier.")
    description = ("Un dossier dont le dernier contact (ou la fin du suivi post-création) est plus ancien "
                   "que la durée de conservation de Paramètres.")

    dernier_contact: date  # the last contact, or the end of the follow-up of a created business
    annees: int  # the retention period, Paramètres › Durée de conservation


PRIVACY_KINDS: tuple[type[PrivacyAnomaly], ...] = (NoConsent, RetentionExpired)
