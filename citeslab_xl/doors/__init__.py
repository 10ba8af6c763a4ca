"""Doors: the Python API, the command line and the Excel buttons, each a thin layer over the engine."""
