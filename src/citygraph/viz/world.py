"""The world base map for the geographic views: Natural Earth country outlines (public domain),
as the ``world-atlas`` npm package ships them (TopoJSON at 1:50 million and 1:110 million),
bundled in ``viz/static/countries-50m.json`` (the browser draws the same file with d3-geo) and
``countries-110m.json`` (for views of whole continents, where the finer one only costs time).

:func:`countries` decodes the TopoJSON into rings of longitude/latitude points;
:func:`natural_earth` is the Natural Earth projection (Šavrič, Jenny, Patterson and Hurni,
2011; the same polynomial as d3-geo's ``geoNaturalEarth1``).

>>> x, y = natural_earth([0.0, 24.94], [0.0, 60.17])
>>> round(float(x[0]), 3), round(float(y[0]), 3), round(float(x[1]), 3), round(float(y[1]), 3)
(0.0, 0.0, 0.31, 1.047)
"""

from __future__ import annotations

import functools
import json

import numpy as np

from citygraph.viz import STATIC

SCALES = ("50m", "110m")


@functools.lru_cache(maxsize=2)
def _topology(scale: str) -> dict:
    if scale not in SCALES:
        raise ValueError(f"no outlines at {scale!r}; use one of {', '.join(SCALES)}")
    return json.loads((STATIC / f"countries-{scale}.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=2)
def _arcs(scale: str) -> list[np.ndarray]:
    """Every arc as an (n, 2) array of longitude/latitude (delta-decoded, de-quantised)."""
    topo = _topology(scale)
    scale = np.array(topo["transform"]["scale"], dtype=float)
    shift = np.array(topo["transform"]["translate"], dtype=float)
    return [np.cumsum(np.array(arc, dtype=float), axis=0) * scale + shift for arc in topo["arcs"]]


def _ring(indexes: list[int], scale: str) -> np.ndarray:
    arcs = _arcs(scale)
    parts = []
    for k, i in enumerate(indexes):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if k == 0 else arc[1:])  # consecutive arcs share their end point
    return np.concatenate(parts)


@functools.lru_cache(maxsize=2)
def countries(scale: str = "50m") -> list[tuple[str, list[np.ndarray]]]:
    """``[(name, [ring, …])]``: each country's outer rings and holes as lon/lat arrays."""
    out = []
    for geometry in _topology(scale)["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(ring, scale) for polygon in polygons for ring in polygon]
        out.append(((geometry.get("properties") or {}).get("name", ""), rings))
    return out


def natural_earth(lon, lat):  # noqa: ANN001, ANN201 (array-likes in degrees)
    """Natural Earth projection of longitudes and latitudes (degrees) -> x, y (unit sphere)."""
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y
