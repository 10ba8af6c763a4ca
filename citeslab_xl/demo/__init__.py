"""A synthetic CitésLab site: French names, Besançon's quartiers, seasonality, deliberate mistakes on request."""

from citeslab_xl.demo.generator import DemoData, Spoiled, add_years, generate, make_siret
from citeslab_xl.demo.workbook import write_demo

__all__ = ["DemoData", "Spoiled", "add_years", "generate", "make_siret", "write_demo"]
