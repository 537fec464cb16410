"""Backprop in the browser: one self-contained HTML page that steps through both passes.

The page holds the graph as inline SVG (laid out once by Graphviz, the final state with every
value and ∂C/∂z), the walk-through's schedule as JSON, a little CSS and a small script; it
fetches nothing (its Content-Security-Policy forbids it). Frame k hides what frame k of the
trace does not know yet (a '?'), highlights the current node and its edges, and shows in a
side panel the node's value (forward) or its ∂C/∂z as the sum of products (backward), the
caption and the trace table's row. Next/Previous, the arrow keys, a slider and Play move
between the frames.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

import numpy as np

from ..graph import Node
from ._dot import build_dot, grad_symbol
from ._frames import NEVER, Schedule, value_text
from ._io import pipe
from .tracing import Trace, trace

_CSS = """
.tg-player{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:14px;color:#111;
  border:1px solid #d1d5db;border-radius:6px;padding:8px;max-width:100%;outline:none}
.tg-player:focus{border-color:#2563eb}
.tg-controls{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-bottom:6px}
.tg-controls button{font-size:14px;padding:3px 10px;cursor:pointer}
.tg-controls input[type=range]{flex:1;min-width:120px}
.tg-main{display:flex;gap:10px;align-items:flex-start}
.tg-graph{flex:1;overflow:auto;min-width:0;max-height:78vh}
.tg-fit .tg-graph svg{max-width:100%;height:auto}
.tg-panel{width:290px;flex:none;background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;
  padding:8px}
.tg-phase{font-weight:bold}
.tg-phase.tg-backward{color:#b91c1c}
.tg-label{color:#6b7280;font-size:12px;margin-top:6px}
.tg-number{font-size:22px;font-family:"DejaVu Sans Mono",monospace}
.tg-lines div{font-family:"DejaVu Sans Mono",monospace;font-size:12px;white-space:pre-wrap;
  overflow-wrap:anywhere;margin-top:3px}
.tg-caption{margin-top:6px;font-size:13px}
.tg-row{margin:4px 0 0;font-size:12px;background:#f3f4f6;padding:4px;white-space:pre-wrap;
  overflow-wrap:anywhere}
.tg-player g.tg-current polygon{stroke:#dc2626;stroke-width:3px}
.tg-player g.tg-current ellipse{stroke:#dc2626;stroke-width:3px}
.tg-player g.tg-hot path,.tg-player g.tg-hot polygon{stroke:#dc2626;stroke-width:2.5px}
.tg-player g.tg-hot polygon{fill:#dc2626}
"""

# The script: reads the schedule, then shows frame k. Text is set with textContent only, so
# the labels of the user's graph are never parsed as HTML.
_JS = r"""
(function () {
  var root = document.getElementById(%(cid)s);
  var D = JSON.parse(root.querySelector("script.tg-data").textContent);
  var svg = root.querySelector(".tg-graph svg");
  var $ = function (cls) { return root.querySelector("." + cls); };
  var byId = function (id) { return svg.querySelector('[id="' + id + '"]'); };
  var links = svg.querySelectorAll("a");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (e) { e.preventDefault(); });
  }
  var cells = {};
  function cell(id) {
    if (!(id in cells)) {
      var g = byId("a_" + id);
      var texts = g ? Array.prototype.slice.call(g.querySelectorAll("text")) : [];
      cells[id] = {texts: texts, orig: texts.map(function (t) { return t.textContent; })};
    }
    return cells[id];
  }
  function reveal(id, known) {
    var c = cell(id);
    c.texts.forEach(function (t, j) {
      if (known) { t.textContent = c.orig[j]; return; }
      var m = /^(data |∂C\/∂[zw] )/.exec(c.orig[0]);
      t.textContent = j === 0 ? (m ? m[1] : "") + "?" : "";
    });
  }
  var marked = [];
  function mark(id, cls) {
    var el = byId(id);
    if (el) { el.classList.add(cls); marked.push([el, cls]); }
  }
  var k = 0, timer = null;
  var slider = $("tg-slider");
  slider.max = String(D.frames.length - 1);
  function show(n) {
    k = Math.max(0, Math.min(D.frames.length - 1, n));
    var f = D.frames[k];
    for (var i = 0; i < D.nodes; i++) {
      reveal("n" + i + "_data", k >= D.data_from[i]);
      reveal("n" + i + "_grad", k >= D.grad_from[i]);
    }
    Object.keys(D.label_from).forEach(function (e) {
      var el = byId(e);
      if (!el) return;
      var texts = el.querySelectorAll("text");
      for (var j = 0; j < texts.length; j++) {
        texts[j].style.visibility = k >= D.label_from[e] ? "" : "hidden";
      }
    });
    marked.forEach(function (p) { p[0].classList.remove(p[1]); });
    marked = [];
    f.current.forEach(function (id) { mark(id, "tg-current"); });
    var here = byId(f.node);
    if (here && here.scrollIntoView && !root.classList.contains("tg-fit")) {
      here.scrollIntoView({block: "nearest", inline: "nearest"});
    }
    f.hot.forEach(function (id) { mark(id, "tg-hot"); });
    var phase = $("tg-phase");
    phase.textContent = f.title;
    phase.className = "tg-phase tg-" + f.phase;
    $("tg-name").textContent = f.name + " (" + f.kind + ")";
    $("tg-what").textContent = f.what;
    $("tg-number").textContent = f.number;
    $("tg-number").setAttribute("data-node", f.node);
    var lines = $("tg-lines");
    while (lines.firstChild) lines.removeChild(lines.firstChild);
    f.lines.forEach(function (line) {
      var d = document.createElement("div");
      d.textContent = line;
      lines.appendChild(d);
    });
    $("tg-caption").textContent = f.caption;
    $("tg-row").textContent = f.row;
    $("tg-step").textContent = "frame " + (k + 1) + " of " + D.frames.length;
    slider.value = String(k);
    $("tg-prev").disabled = k === 0;
    $("tg-next").disabled = k === D.frames.length - 1;
    root.setAttribute("data-frame", String(k));
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    $("tg-play").textContent = "▶ Play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (k === D.frames.length - 1) show(0);
    $("tg-play").textContent = "❚❚ Pause";
    timer = setInterval(function () {
      if (k >= D.frames.length - 1) { stop(); return; }
      show(k + 1);
    }, D.interval);
  }
  $("tg-prev").addEventListener("click", function () { stop(); show(k - 1); });
  $("tg-next").addEventListener("click", function () { stop(); show(k + 1); });
  $("tg-play").addEventListener("click", play);
  $("tg-fit-box").addEventListener("change", function () {
    root.classList.toggle("tg-fit", $("tg-fit-box").checked);
  });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  var keys = function (e) {
    if (e.target && e.target.tagName === "INPUT" && e.target !== slider) return;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { stop(); show(k + 1); }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { stop(); show(k - 1); }
    else if (e.key === "Home") { stop(); show(0); }
    else if (e.key === "End") { stop(); show(D.frames.length - 1); }
    else return;
    e.preventDefault();
  };
  (D.page ? document : root).addEventListener("keydown", keys);
  show(0);
})();
"""

_CONTROLS = """<div class="tg-controls">
<button type="button" class="tg-prev" title="previous frame (←)">◀ Previous</button>
<button type="button" class="tg-play" title="play all frames">▶ Play</button>
<button type="button" class="tg-next" title="next frame (→)">Next ▶</button>
<input type="range" class="tg-slider" min="0" max="0" value="0" aria-label="frame">
<span class="tg-step"></span>
<label><input type="checkbox" class="tg-fit-box"> fit to width</label>
</div>"""

_PANEL = """<aside class="tg-panel">
<div class="tg-phase"></div>
<div class="tg-label">node</div><div class="tg-name"></div>
<div class="tg-label tg-what"></div><div class="tg-number"></div>
<div class="tg-lines"></div>
</aside>"""


def player_data(tr: Trace, sched: Schedule, interval_ms: int, page: bool) -> dict[str, Any]:
    """The schedule as the script reads it: per frame the texts and the SVG ids to mark."""
    m = tr._model
    out = m.display(m.root_index)
    frames = []
    for f in sched.frames:
        i = f.index
        if f.phase == "forward":
            what = "value (forward pass)"
            current = [f"n{i}", f"n{i}_op"]
            hot = [f"e{c}_{pos}" for c, pos in sched.hot_edges[f.k]] + [f"r{i}"]
        else:
            what = f"∂{out}/∂{m.display(i)} ({grad_symbol(m, i)}, backward pass)"
            current = [f"n{i}"]
            hot = [f"e{c}_{pos}" for c, pos in sched.hot_edges[f.k]]
        frames.append(
            {
                "phase": f.phase,
                "node": f"n{i}",
                "name": m.display(i),
                "kind": m.kinds[i],
                "title": f.title,
                "what": what,
                "number": _number(f.number, tr.precision, f.phase == "backward"),
                "lines": list(f.lines),
                "caption": f.caption,
                "row": f.row,
                "current": current,
                "hot": hot,
            }
        )
    return {
        "nodes": len(m.order),
        "frames": frames,
        "data_from": [min(v, NEVER) for v in sched.data_from],
        "grad_from": [min(v, NEVER) for v in sched.grad_from],
        "label_from": {f"e{c}_{pos}": k for (c, pos), k in sched.label_from.items()},
        "interval": interval_ms,
        "page": page,
    }


def _number(x: Any, p: int, grad: bool) -> str:
    if isinstance(x, np.ndarray) and x.size == 1:
        x = float(x.reshape(-1)[0])
    return value_text(x, p, grad=grad)


def player_html(
    root: Node,
    *,
    page: bool = True,
    interval_ms: int = 1200,
    title: str | None = None,
    **draw_options: Any,
) -> str:
    """The HTML player for root's graph: a whole page (page=True) or one <div> for Jupyter.

    draw_options as for draw() (params=, output_label=, direction=, …). Reads the gradients
    of the last backward(); without one, the player steps through the forward pass only.
    Needs Graphviz's `dot` (GraphvizNotFoundError otherwise)."""
    tr = trace(
        root,
        params=draw_options.get("params"),
        output_label=draw_options.get("output_label"),
        precision=draw_options.get("precision", 4),
    )
    options = tr._frame_options(dict(draw_options))
    sched = tr.schedule(options.direction)
    if not sched.frames:
        raise ValueError(
            "the graph has no ops to step through (its output is a leaf); build the output "
            "from at least one op"
        )
    source, _ = build_dot(root, options, ids=True, stacklevel=4)
    svg = pipe(source, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and the DTD reference
    data = player_data(tr, sched, interval_ms, page)
    cid = "tg-" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:10]
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")  # no </script>
    heading = title or f"Backpropagation step by step: {tr._model.display(tr._model.root_index)}"
    body = (
        f'<div class="tg-player" id="{cid}" tabindex="0">'
        f'<div class="tg-title"><b>{html.escape(heading)}</b> '
        '<span class="tg-label">(← → keys, or the buttons)</span></div>'
        f"{_CONTROLS}"
        f'<div class="tg-main"><div class="tg-graph">{svg}</div>{_PANEL}</div>'
        '<div class="tg-caption"></div><pre class="tg-row"></pre>'
        f'<script type="application/json" class="tg-data">{payload}</script>'
        f"<script>{_JS % {'cid': json.dumps(cid)}}</script></div>"
    )
    if not page:
        return f"<style>{_CSS}</style>{body}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(heading)}</title><link rel=\"icon\" href=\"data:,\">"
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )
