"""The map pages as HTML: served in the site layout (``/map``, ``/map/geo``, ``/timeline``) or
written as one self-contained file (``citygraph map --html``) with the styles, the libraries and
the data inlined, so it opens from disk with no network.

Both use the same templates (``api/templates/_viz_app.html``) and scripts
(``viz/static/*.js``); the renderer is :mod:`citygraph.api.render`'s, so the pages carry the
site's header, licence and list of sources like every other page.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timezone

from citygraph.api import render
from citygraph.api.render import Links
from citygraph.graph import CityGraph
from citygraph.namespaces import ID
from citygraph.viz import STATIC, payload, words

VIEWS = {"network": "map.js", "geo": "geo.js", "timeline": "timeline.js"}
SITE_CSS = render.TEMPLATES.parent / "static" / "style.css"


@functools.lru_cache(maxsize=None)
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(links: Links, name: str) -> str:
    """Where the server serves ``viz/static/name`` (with a content hash, so browsers refetch
    after an upgrade): ``/map/static/map.js?v=…``."""
    return f"{links.root}map/static/{name}?v={_digest(name)}"


def _json_for_script(value: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("</", "<\\/").replace("<!--", "<\\!--"))


def _config(view: str, lang: str, links: Links, data_url: str | None, export_url: str | None,
            entity_prefix: str, served: bool) -> dict:
    return {
        "view": view, "lang": lang, "data_url": data_url, "export_url": export_url,
        "entity_prefix": entity_prefix, "entity_suffix": links.suffix,
        "world_url": static_url(links, "countries-50m.json") if served else None,
        "world_coarse_url": static_url(links, "countries-110m.json") if served else None,
        "text": words.text(lang),
    }


def page(graph: CityGraph, view: str, lang: str = "en", links: Links | None = None) -> str:
    """``/map`` (``view="network"``), ``/map/geo`` (``"geo"``) or ``/timeline`` in the site layout."""
    if view not in VIEWS:
        raise ValueError(f"no map view {view!r}; use one of {', '.join(VIEWS)}")
    links = links or Links()
    vt = words.text(lang)
    config = _config(view, lang, links, links.root + "api/map/graph",
                     links.root + "map/export" if view != "timeline" else None,
                     links.root + "id/", served=True)
    context = render._context(  # noqa: SLF001 - the site renderer's own context (header, footer)
        graph, lang, links, title=vt[f"{view}_title"], view=view, vt=vt,
        view_script=VIEWS[view], config_json=_json_for_script(config),
        export_url=config["export_url"], viz_static=lambda name: static_url(links, name))
    return render._render("viz.html", context)  # noqa: SLF001


def standalone(graph: CityGraph, view: str = "network", lang: str = "en",
               layers: Sequence[str] | None = None, data: dict | None = None) -> str:
    """One self-contained HTML file of a map view: works offline, from disk.

    Links to things go to their IRIs (``https://w3id.org/citygraph/id/…``), which dereference
    to the same linked-data pages the server shows.
    """
    if view not in VIEWS:
        raise ValueError(f"no map view {view!r}; use one of {', '.join(VIEWS)}")
    data = data if data is not None else payload.build(graph, layers)
    links = Links()
    vt = words.text(lang)
    config = _config(view, lang, links, None, None, ID, served=False)
    context = render._context(  # noqa: SLF001
        graph, lang, links, title=vt[f"{view}_title"], view=view, vt=vt, export_url=None,
        config_json=_json_for_script(config), data_json=_json_for_script(payload.for_browser(data)),
        site_css=SITE_CSS.read_text(encoding="utf-8"),
        viz_css=(STATIC / "map.css").read_text(encoding="utf-8"),
        vendor_js=_inline_js(STATIC / "vendor.js"),
        common_js=_inline_js(STATIC / "common.js"),
        view_js=_inline_js(STATIC / VIEWS[view]),
        world_json=(STATIC / "countries-50m.json").read_text(encoding="utf-8") if view == "geo" else None,
        world_coarse_json=(STATIC / "countries-110m.json").read_text(encoding="utf-8") if view == "geo" else None,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    return render._render("viz_standalone.html", context)  # noqa: SLF001


def _inline_js(path) -> str:  # noqa: ANN001 (Path)
    """A script's text made safe to sit inside ``<script>…</script>``."""
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")
