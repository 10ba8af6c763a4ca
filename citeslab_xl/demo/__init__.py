"""A synthetic CitésLab site: French names, Besançon's quartiers, seasonality, deliberate mistakes on request."""

from citeslab_xl.demo.generator import DemoData, generate
from citeslab_xl.demo.mistakes import Spoiled
from citeslab_xl.demo.vocabulary import make_siret
from citeslab_xl.demo.workbook import write_demo

__all__ = ["DemoData", "Spoiled", "generate", "make_siret", "write_demo"]
