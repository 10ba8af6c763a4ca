"""citeslab-xl: the CitésLab coordinator's workbook as a managed tool."""

__version__ = "0.1.0"
