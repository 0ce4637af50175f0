"""Visual network maps for strategy work: the data behind the pages, layouts, static pictures and
Gephi files.

* :mod:`.payload` — one JSON document with every relationship (parties, kind, status, dates with
  their derived ``cg:activeFrom``/``cg:activeUntil``, layers, sources, quotes), every node (labels
  in en/fi/sv, kind, country, coordinates, position) and centralities per date, so a page can move
  through time without asking the server again. The pages (``/map``, ``/map/geo``,
  ``/timeline``) and ``citygraph map --html`` read it.
* :mod:`.layout` — node positions for the network view (the same in the browser and on slides).
* :mod:`.world` — the bundled Natural Earth country outlines (TopoJSON) for the geographic views.
* :mod:`.static` — slide-ready PNG/SVG/PDF pictures with matplotlib.
* :mod:`.gephi` — GEXF (with time intervals) and GraphML files.
* :mod:`.pages` — the HTML pages, served or written as one self-contained file.

Time is the one definition of :mod:`citygraph.temporal`: a relationship is shown on D when
``activeFrom <= D`` and (no ``activeUntil`` or ``D < activeUntil``).
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
