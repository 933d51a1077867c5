"""Harvest: member libraries' records into the record store, byte for byte.

The bottom layer. It knows the home directory and its configuration
(:mod:`harvest.config`), the SQLite record store (:mod:`harvest.store`) and
the readers that turn exported files into :class:`harvest.records.RawRecord`
objects (:mod:`harvest.marcfile`). It imports nothing from the layers above.
"""
