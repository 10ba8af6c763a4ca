"""Adapters: reading files, the OOXML package, rendering, the xlwings book, every file write."""
