"""The coordinator's workbook as a file: the parts of the generated sheets spliced into her package.

One module per concern, over the OPC layer (`citeslab_xl.adapters.opc`):
`book` (what the workbook part says), `ownership` (which sheets are the
tool's), `append_only` (the rows already in `Journal`), `styles` (formats
appended to `styles.xml`), `splice` (the new package), `commit` (backups and
the atomic replacement). `citeslab_xl.adapters.writer` runs them in order.
"""
