// Vector annotation on an image: <crowd-bounding-box>, <crowd-polygon>, <crowd-line>,
// <crowd-polyline>, <crowd-keypoint>. Shapes live in one SVG laid over the image in image
// pixels; a drag touches only the dragged shape's element (batched per animation frame),
// so hundreds of shapes stay smooth. Values are Ground Truth's (crowd-elements spec 2.1):
//   bounding box  {"boundingBoxes": [{height, label, left, top, width}], "inputImageProperties": {height, width}}
//   polygon       {"inputImageProperties", "polygons": [{label, vertices: [{x, y}, ...]}]}
//   line          {"inputImageProperties", "lines": [{label, vertices: [{x, y}, {x, y}]}]}
//   polyline      {"inputImageProperties", "polylines": [{label, vertices: [{x, y}, ...]}]}
//   keypoint      {"inputImageProperties", "keypoints": [{label, x, y}]}
// plus "initialValueModified" (boolean) when the template gave an `initial-value`.
import { escapeHtml, parseLiteral } from "./lib.js";
import { ICONS, ImageAnnotatorBase } from "./viewport.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const MIN_BOX_SCREEN_PX = 4; // a smaller drag is a click, not a box
const CLOSE_SCREEN_PX = 10; // clicking this near the first vertex closes a polygon
const HANDLE_SCREEN_PX = 8; // grab distance of handles and box edges

const SHAPES_CSS = `
  .shapes { overflow: visible; }
  .shapes .shape { stroke: var(--c); stroke-width: 2; vector-effect: non-scaling-stroke;
    fill: color-mix(in srgb, var(--c) 12%, transparent); cursor: move; }
  .shapes .shape:hover { stroke-width: 3; fill: color-mix(in srgb, var(--c) 22%, transparent); }
  .shapes .shape.selected { stroke-width: 3; fill: color-mix(in srgb, var(--c) 26%, transparent);
    stroke-dasharray: none; }
  .shapes .open { fill: none; stroke-linecap: round; stroke-linejoin: round; }
  .shapes .hit { stroke: transparent; stroke-width: 14; vector-effect: non-scaling-stroke; fill: none; cursor: move;
    stroke-linecap: round; }
  .shapes .point { r: var(--pt-r); stroke: #fff; stroke-width: 2; fill: var(--c); }
  .shapes .point:hover, .shapes .point.selected { stroke: #101828; fill: var(--c); r: calc(var(--pt-r) * 1.3); }
  .shapes .handle { r: var(--handle-r); fill: #fff; stroke: var(--c); stroke-width: 2; vector-effect: non-scaling-stroke;
    cursor: pointer; }
  .shapes .handle:hover { fill: var(--c); }
  .shapes .draft { fill: color-mix(in srgb, var(--c) 10%, transparent); stroke: var(--c); stroke-width: 2;
    stroke-dasharray: 6 4; vector-effect: non-scaling-stroke; pointer-events: none; }
  .shapes .draft.open { fill: none; }
  .shapes .draft-vertex { r: var(--handle-r); fill: var(--c); stroke: #fff; stroke-width: 1.5;
    vector-effect: non-scaling-stroke; pointer-events: none; }
  .shapes .draft-vertex.first { r: calc(var(--handle-r) * 1.5); fill: #fff; stroke: var(--c); stroke-width: 2.5; }
  .shapes .tag-bg { fill: var(--c); }
  .shapes .tag { fill: #fff; font: 600 var(--tag-size) system-ui, sans-serif; pointer-events: none; }
`;

let nextId = 1;

function pointsAttribute(points) {
  return points.map((p) => `${p.x},${p.y}`).join(" ");
}

function segmentsCross(a, b, c, d) {
  const orient = (p, q, r) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  return o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0;
}

/** True when two non-adjacent edges of the closed polygon cross. */
export function selfIntersects(points) {
  const n = points.length;
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsCross(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n])) return true;
    }
  }
  return false;
}

class ShapeAnnotator extends ImageAnnotatorBase {
  static css = SHAPES_CSS;
  static kind = "box"; // box | polygon | line | polyline | point
  static valueKey = "boundingBoxes";

  static get observedAttributes() {
    return [...super.observedAttributes, "initial-value"];
  }

  constructor() {
    super();
    this._shapes = [];
    this._elements = new Map();
    this._selected = null;
    this._drag = null;
    this._draft = null;
    this._frame = 0;
    this._svg = this.shadowRoot.querySelector("svg.shapes");
    this._items = this._svg.querySelector(".items");
    this._handles = this._svg.querySelector(".handles");
    this._draftLayer = this._svg.querySelector(".draft-layer");
    this._hint.textContent = this._defaultHint();
  }

  _layerMarkup() {
    return `<svg class="layer shapes" xmlns="${SVG_NS}"><g class="items"></g><g class="draft-layer"></g><g class="handles"></g></svg>`;
  }

  _toolButtons() {
    const kind = this.constructor.kind;
    const icon = { box: ICONS.box, polygon: ICONS.polygon, line: ICONS.line, polyline: ICONS.line, point: ICONS.point }[kind];
    const name = { box: "Box", polygon: "Polygon", line: "Line", polyline: "Polyline", point: "Point" }[kind];
    return `<button type="button" class="tool" data-action="draw" aria-pressed="true" title="Draw (${name})">${icon}${name}</button>
      <button type="button" class="tool" data-action="delete" title="Delete the selected shape (Delete)">${ICONS.trash}</button>`;
  }

  _keysHelp() {
    const finish = ["polygon", "polyline"].includes(this.constructor.kind)
      ? '<div><span class="kbd">Enter</span>finish shape</div>'
      : "";
    return `<div><span class="kbd">1</span>…<span class="kbd">9</span>label / relabel</div>${finish}
      <div><span class="kbd">Del</span>delete · <span class="kbd">Esc</span>cancel</div>
      <div><span class="kbd">Ctrl Z</span>undo · <span class="kbd">F</span>fit</div>
      <div><span class="kbd">Space</span>+drag pan · wheel zoom</div>`;
  }

  _defaultHint() {
    return {
      box: "Drag on the image to draw a box. Drag a box to move it, its handles to resize it.",
      polygon: "Click to add points; click the first point or press Enter to close the polygon.",
      line: "Click the start and the end of the line.",
      polyline: "Click to add points; press Enter (or click the last point) to finish.",
      point: "Click to place a point; drag a point to move it.",
    }[this.constructor.kind];
  }

  _onImageReady() {
    this._svg.setAttribute("width", this.imageWidth);
    this._svg.setAttribute("height", this.imageHeight);
    this._svg.setAttribute("viewBox", `0 0 ${this.imageWidth} ${this.imageHeight}`);
    if (!this._initialApplied) {
      this._initialApplied = true;
      this._shapes = this._parseInitial();
      this._initialJson = JSON.stringify(this._valueShapes());
    }
    this._renderAll();
    this._renderLabels();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (name === "initial-value") {
      if (this.imageReady && oldValue !== newValue) {
        this._shapes = this._parseInitial();
        this._initialJson = JSON.stringify(this._valueShapes());
        this._history = [];
        this._future = [];
        this._renderAll();
        this._renderLabels();
      }
      return;
    }
    super.attributeChangedCallback(name);
  }

  _onZoom(scale) {
    const px = 1 / scale;
    this._svg.style.setProperty("--pt-r", `${6 * px}px`);
    this._svg.style.setProperty("--handle-r", `${5 * px}px`);
    this._svg.style.setProperty("--tag-size", `${12 * px}px`);
    this._renderHandles();
  }

  // Model

  _parseInitial() {
    const raw = parseLiteral(this.getAttribute("initial-value"), null);
    if (!raw) return [];
    const kind = this.constructor.kind;
    const list = Array.isArray(raw)
      ? raw
      : raw[this.constructor.valueKey] || raw.lines || raw.polylines || raw.polygons || [];
    const shapes = [];
    for (const item of Array.isArray(list) ? list : []) {
      if (!item || typeof item !== "object") continue;
      const label = String(item.label ?? this.labels[0] ?? "");
      if (kind === "box") {
        const box = ["left", "top", "width", "height"].map((key) => Number(item[key]));
        if (box.some((number) => !Number.isFinite(number))) continue;
        const [left, top, width, height] = box;
        shapes.push({ id: nextId++, label, box: { left, top, width, height } });
      } else if (kind === "point") {
        const x = Number(item.x);
        const y = Number(item.y);
        if (Number.isFinite(x) && Number.isFinite(y)) shapes.push({ id: nextId++, label, point: { x, y } });
      } else {
        const vertices = (item.vertices || item.points || [])
          .map((v) => ({ x: Number(v.x), y: Number(v.y) }))
          .filter((v) => Number.isFinite(v.x) && Number.isFinite(v.y));
        if (vertices.length >= this._minVertices()) shapes.push({ id: nextId++, label, points: vertices });
      }
    }
    return shapes;
  }

  _minVertices() {
    return this.constructor.kind === "polygon" ? 3 : 2;
  }

  _snapshot() {
    return JSON.stringify(this._shapes);
  }

  _restore(snapshot) {
    this._shapes = JSON.parse(snapshot);
    if (this._selected !== null && !this._shapes.some((shape) => shape.id === this._selected)) {
      this._selected = null;
    }
    this._draft = null;
    this._renderDraft();
    this._renderAll();
  }

  _labelCounts() {
    const counts = new Map();
    for (const shape of this._shapes || []) counts.set(shape.label, (counts.get(shape.label) || 0) + 1);
    return counts;
  }

  _shape(id) {
    return this._shapes.find((shape) => shape.id === id);
  }

  // Rendering

  _shapeMarkup(shape) {
    const color = escapeHtml(this.labelColor(shape.label));
    const selected = shape.id === this._selected ? " selected" : "";
    const kind = this.constructor.kind;
    if (kind === "box") {
      const { left, top, width, height } = shape.box;
      return `<rect class="shape${selected}" data-id="${shape.id}" x="${left}" y="${top}" width="${width}" height="${height}" style="--c:${color}"/>`;
    }
    if (kind === "point") {
      return `<circle class="shape point${selected}" data-id="${shape.id}" cx="${shape.point.x}" cy="${shape.point.y}" style="--c:${color}"/>`;
    }
    const points = pointsAttribute(shape.points);
    if (kind === "polygon") {
      return `<polygon class="shape${selected}" data-id="${shape.id}" points="${points}" style="--c:${color}"/>`;
    }
    return `<g data-id="${shape.id}" style="--c:${color}"><polyline class="hit" data-id="${shape.id}" points="${points}"/><polyline class="shape open${selected}" data-id="${shape.id}" points="${points}"/></g>`;
  }

  _renderAll() {
    this._items.innerHTML = this._shapes.map((shape) => this._shapeMarkup(shape)).join("");
    this._elements = new Map();
    for (const element of this._items.children) this._elements.set(Number(element.dataset.id), element);
    this._renderHandles();
  }

  /** Update one shape's element in place (the fast path of a drag). */
  _renderShape(shape) {
    const element = this._elements.get(shape.id);
    if (!element) return;
    const kind = this.constructor.kind;
    if (kind === "box") {
      element.setAttribute("x", shape.box.left);
      element.setAttribute("y", shape.box.top);
      element.setAttribute("width", shape.box.width);
      element.setAttribute("height", shape.box.height);
    } else if (kind === "point") {
      element.setAttribute("cx", shape.point.x);
      element.setAttribute("cy", shape.point.y);
    } else if (kind === "polygon") {
      element.setAttribute("points", pointsAttribute(shape.points));
    } else {
      const points = pointsAttribute(shape.points);
      for (const line of element.children) line.setAttribute("points", points);
    }
  }

  _select(id) {
    if (this._selected === id) return;
    const previous = this._elements.get(this._selected);
    if (previous) this._shapeElement(previous).classList.remove("selected");
    this._selected = id;
    const current = this._elements.get(id);
    if (current) this._shapeElement(current).classList.add("selected");
    const shape = this._shape(id);
    if (shape) {
      const index = this.labels.indexOf(shape.label);
      if (index >= 0 && index !== this._labelIndex) {
        this._labelIndex = index;
        this._renderLabels();
      }
    }
    this._renderHandles();
  }

  _shapeElement(element) {
    return element.tagName === "g" ? element.querySelector(".shape") : element;
  }

  _handlePositions(shape) {
    const kind = this.constructor.kind;
    if (kind === "point") return [];
    if (kind !== "box") return shape.points.map((p, index) => ({ name: `v${index}`, x: p.x, y: p.y }));
    const { left, top, width, height } = shape.box;
    const x = [left, left + width / 2, left + width];
    const y = [top, top + height / 2, top + height];
    return [
      { name: "nw", x: x[0], y: y[0] }, { name: "n", x: x[1], y: y[0] }, { name: "ne", x: x[2], y: y[0] },
      { name: "e", x: x[2], y: y[1] }, { name: "se", x: x[2], y: y[2] }, { name: "s", x: x[1], y: y[2] },
      { name: "sw", x: x[0], y: y[2] }, { name: "w", x: x[0], y: y[1] },
    ];
  }

  _renderHandles() {
    if (!this._handles) return;
    const shape = this._shape(this._selected);
    if (!shape) {
      this._handles.innerHTML = "";
      return;
    }
    const color = escapeHtml(this.labelColor(shape.label));
    const px = this.pixel;
    const anchor = this.constructor.kind === "box"
      ? { x: shape.box.left, y: shape.box.top }
      : this.constructor.kind === "point"
        ? { x: shape.point.x + 8 * px, y: shape.point.y - 8 * px }
        : shape.points.reduce((best, p) => (p.y < best.y ? p : best), shape.points[0]);
    const text = escapeHtml(shape.label);
    const tagWidth = (text.length * 7 + 12) * px;
    const tagY = Math.max(0, anchor.y - 20 * px);
    const tag = `<g style="--c:${color}" pointer-events="none"><rect class="tag-bg" x="${anchor.x}" y="${tagY}" width="${tagWidth}" height="${18 * px}" rx="${3 * px}"/>
      <text class="tag" x="${anchor.x + 6 * px}" y="${tagY + 13 * px}">${text}</text></g>`;
    this._handles.innerHTML =
      tag +
      this._handlePositions(shape)
        .map((h) => `<circle class="handle" data-handle="${h.name}" cx="${h.x}" cy="${h.y}" style="--c:${color}"/>`)
        .join("");
  }

  _renderDraft(cursor) {
    const draft = this._draft;
    if (!draft) {
      this._draftLayer.innerHTML = "";
      return;
    }
    const color = escapeHtml(this.labelColor(draft.label));
    if (draft.box) {
      const { left, top, width, height } = draft.box;
      this._draftLayer.innerHTML = `<rect class="draft" x="${left}" y="${top}" width="${width}" height="${height}" style="--c:${color}"/>`;
      return;
    }
    const points = cursor ? [...draft.points, cursor] : draft.points;
    const closed = this.constructor.kind === "polygon";
    const outline = closed && points.length > 2
      ? `<polygon class="draft" points="${pointsAttribute(points)}" style="--c:${color}"/>`
      : `<polyline class="draft open" points="${pointsAttribute(points)}" style="--c:${color}"/>`;
    const vertices = draft.points
      .map((p, index) => `<circle class="draft-vertex${index === 0 && closed ? " first" : ""}" cx="${p.x}" cy="${p.y}" style="--c:${color}"/>`)
      .join("");
    this._draftLayer.innerHTML = outline + vertices;
  }

  _scheduleRender(shape) {
    this._pendingShape = shape;
    if (this._frame) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (this._pendingShape) this._renderShape(this._pendingShape);
      this._renderHandles();
    });
  }

  // Pointer

  _pointerDown(event, raw) {
    const point = this.clampPoint(raw);
    const target = event.composedPath()[0];
    const id = target && target.dataset && target.dataset.id ? Number(target.dataset.id) : null;
    const kind = this.constructor.kind;
    if (this._draft && !this._draft.box) {
      this._addDraftPoint(point, raw);
      return;
    }
    const handle = this._handleAt(this._shape(this._selected), raw);
    if (handle) {
      this._startDrag("handle", point, handle);
      return;
    }
    if (id !== null && this._shape(id)) {
      this._select(id);
      // Grabbing an unselected box by its edge resizes it at once, as the handles would.
      const edge = kind === "box" ? this._boxEdgeAt(this._shape(id), raw) : null;
      this._startDrag(edge ? "handle" : "move", point, edge || undefined);
      return;
    }
    if (!this.currentLabel) {
      this._showError("There is no label to draw with.");
      return false;
    }
    if (kind === "box") {
      this._draft = { label: this.currentLabel, start: point, box: { left: point.x, top: point.y, width: 0, height: 0 } };
      this._renderDraft();
    } else if (kind === "point") {
      const before = this._snapshot();
      const shape = { id: nextId++, label: this.currentLabel, point };
      this._shapes.push(shape);
      this._renderAll();
      this._select(shape.id);
      this._commit(before);
      this._startDrag("move", point);
    } else {
      this._select(null);
      this._draft = { label: this.currentLabel, points: [point] };
      this._renderDraft(point);
      this._hint.textContent = kind === "line"
        ? "Click the end of the line (Esc cancels)."
        : "Keep clicking to add points; Backspace removes the last one, Esc cancels.";
    }
    return undefined;
  }

  _addDraftPoint(point, raw) {
    const draft = this._draft;
    const kind = this.constructor.kind;
    const near = (p) => Math.hypot(p.x - raw.x, p.y - raw.y) <= CLOSE_SCREEN_PX * this.pixel;
    if (kind === "polygon" && draft.points.length >= 3 && near(draft.points[0])) {
      this._finishDraft();
      return;
    }
    if (kind === "polyline" && draft.points.length >= 2 && near(draft.points[draft.points.length - 1])) {
      this._finishDraft();
      return;
    }
    const last = draft.points[draft.points.length - 1];
    if (Math.hypot(point.x - last.x, point.y - last.y) < 1e-6) return;
    draft.points.push(point);
    if (kind === "line" && draft.points.length === 2) {
      this._finishDraft();
      return;
    }
    this._renderDraft(point);
  }

  _finishDraft() {
    const draft = this._draft;
    if (!draft) return false;
    const kind = this.constructor.kind;
    if (draft.points.length < this._minVertices()) {
      this._showError(kind === "polygon" ? "A polygon needs at least 3 points." : "A line needs 2 points.");
      return true;
    }
    if (kind === "polygon" && selfIntersects(draft.points)) {
      this._showError("The polygon's edges cross each other; move or remove a point first.");
      return true;
    }
    const before = this._snapshot();
    const shape = { id: nextId++, label: draft.label, points: draft.points };
    this._draft = null;
    this._renderDraft();
    this._shapes.push(shape);
    this._renderAll();
    this._select(shape.id);
    this._hint.textContent = this._defaultHint();
    this._commit(before);
    return true;
  }

  _startDrag(mode, point, handle) {
    const shape = this._shape(this._selected);
    if (!shape) return;
    this._drag = { mode, handle, start: point, before: this._snapshot(), original: JSON.parse(JSON.stringify(shape)), moved: false };
  }

  _pointerMove(event, raw) {
    const point = this.clampPoint(raw);
    if (this._draft) {
      if (this._draft.box) {
        const { start } = this._draft;
        this._draft.box = {
          left: Math.min(start.x, point.x),
          top: Math.min(start.y, point.y),
          width: Math.abs(point.x - start.x),
          height: Math.abs(point.y - start.y),
        };
        this._scheduleDraft();
      } else {
        this._cursor = point;
        this._scheduleDraft(point);
      }
      return;
    }
    if (this._drag) {
      this._dragTo(point);
      return;
    }
    const target = event.composedPath()[0];
    const overHandle = !!(target && target.dataset && target.dataset.handle);
    const overShape = !overHandle && !!(target && target.dataset && target.dataset.id);
    this._stage.classList.toggle("over-handle", overHandle);
    this._stage.classList.toggle("over-shape", overShape);
  }

  _scheduleDraft(cursor) {
    this._draftCursor = cursor;
    if (this._draftFrame) return;
    this._draftFrame = requestAnimationFrame(() => {
      this._draftFrame = 0;
      this._renderDraft(this._draftCursor);
    });
  }

  _dragTo(point) {
    const drag = this._drag;
    const shape = this._shape(this._selected);
    if (!shape) return;
    const original = drag.original;
    const dx = point.x - drag.start.x;
    const dy = point.y - drag.start.y;
    if (dx !== 0 || dy !== 0) drag.moved = true;
    const kind = this.constructor.kind;
    const width = this.imageWidth;
    const height = this.imageHeight;
    if (drag.mode === "move") {
      if (kind === "box") {
        const box = original.box;
        shape.box = {
          ...box,
          left: Math.min(width - box.width, Math.max(0, box.left + dx)),
          top: Math.min(height - box.height, Math.max(0, box.top + dy)),
        };
      } else if (kind === "point") {
        shape.point = point;
      } else {
        const xs = original.points.map((p) => p.x);
        const ys = original.points.map((p) => p.y);
        const ox = Math.min(width - Math.max(...xs), Math.max(-Math.min(...xs), dx));
        const oy = Math.min(height - Math.max(...ys), Math.max(-Math.min(...ys), dy));
        shape.points = original.points.map((p) => ({ x: p.x + ox, y: p.y + oy }));
      }
    } else if (kind === "box") {
      let { left, top, width: w, height: h } = original.box;
      let right = left + w;
      let bottom = top + h;
      if (drag.handle.includes("w")) left = point.x;
      if (drag.handle.includes("e")) right = point.x;
      if (drag.handle.includes("n")) top = point.y;
      if (drag.handle.includes("s")) bottom = point.y;
      shape.box = {
        left: Math.min(left, right),
        top: Math.min(top, bottom),
        width: Math.abs(right - left),
        height: Math.abs(bottom - top),
      };
    } else {
      const index = Number(drag.handle.slice(1));
      shape.points = original.points.map((p, i) => (i === index ? point : p));
    }
    this._scheduleRender(shape);
  }

  _pointerUp(event, raw) {
    const point = this.clampPoint(raw);
    if (this._draft && this._draft.box) {
      const draft = this._draft;
      this._draft = null;
      this._renderDraft();
      const { width, height } = draft.box;
      if (width < MIN_BOX_SCREEN_PX * this.pixel || height < MIN_BOX_SCREEN_PX * this.pixel) {
        this._select(null); // a click on the image: deselect
        return;
      }
      const before = this._snapshot();
      const shape = { id: nextId++, label: draft.label, box: draft.box };
      this._shapes.push(shape);
      this._renderAll();
      this._select(shape.id);
      this._commit(before);
      return;
    }
    if (this._drag) {
      const drag = this._drag;
      this._dragTo(point);
      this._drag = null;
      if (this._frame) {
        cancelAnimationFrame(this._frame);
        this._frame = 0;
      }
      const shape = this._shape(this._selected);
      if (shape) this._renderShape(shape);
      this._renderHandles();
      if (drag.moved) {
        if (this.constructor.kind === "polygon" && shape && selfIntersects(shape.points)) {
          this._restore(drag.before);
          this._showError("That would make the polygon's edges cross; the point went back.");
          return;
        }
        this._commit(drag.before);
      }
    }
  }

  /** The handle of `shape` under `raw` (image pixels), found by distance: handles are
   * re-rendered after each edit, so the DOM target of a later event may be gone. */
  _handleAt(shape, raw) {
    if (!shape) return null;
    const reach = HANDLE_SCREEN_PX * this.pixel;
    let best = null;
    let bestDistance = Infinity;
    for (const handle of this._handlePositions(shape)) {
      const distance = Math.hypot(handle.x - raw.x, handle.y - raw.y);
      if (distance <= reach && distance < bestDistance) {
        best = handle.name;
        bestDistance = distance;
      }
    }
    return best;
  }

  _boxEdgeAt(shape, raw) {
    const reach = HANDLE_SCREEN_PX * this.pixel;
    const { left, top, width, height } = shape.box;
    let name = "";
    if (Math.abs(raw.y - top) <= reach) name += "n";
    else if (Math.abs(raw.y - (top + height)) <= reach) name += "s";
    if (Math.abs(raw.x - left) <= reach) name += "w";
    else if (Math.abs(raw.x - (left + width)) <= reach) name += "e";
    return name || null;
  }

  _doubleClick(event, raw) {
    // Double-clicking a vertex of the selected polygon or polyline removes it.
    const shape = this._shape(this._selected);
    const handle = this._handleAt(shape, raw);
    if (!handle || !shape || !shape.points || shape.points.length <= this._minVertices()) return false;
    if (this.constructor.kind === "line") return false;
    const before = this._snapshot();
    const index = Number(handle.slice(1));
    shape.points = shape.points.filter((_, i) => i !== index);
    this._renderShape(shape);
    this._renderHandles();
    this._commit(before);
    return true;
  }

  // Labels and keys

  _onLabelSelected(label) {
    const shape = this._shape(this._selected);
    if (this._draft) this._draft.label = label;
    if (shape && shape.label !== label) {
      const before = this._snapshot();
      shape.label = label;
      this._renderAll();
      this._commit(before);
    }
  }

  _onLabelsChanged() {
    this._renderAll();
  }

  _toolAction(action) {
    if (action === "delete") this.deleteSelected();
    else if (action === "draw") this._setPanTool(false);
  }

  deleteSelected() {
    if (this._selected === null) return false;
    const before = this._snapshot();
    this._shapes = this._shapes.filter((shape) => shape.id !== this._selected);
    this._selected = null;
    this._renderAll();
    this._commit(before);
    return true;
  }

  _toolShortcut(event) {
    const key = event.key;
    if (key === "Escape") {
      if (this._draft) {
        this._draft = null;
        this._renderDraft();
        this._hint.textContent = this._defaultHint();
        return true;
      }
      if (this._selected !== null) {
        this._select(null);
        return true;
      }
      return false;
    }
    if (key === "Enter") return this._draft && !this._draft.box ? this._finishDraft() : false;
    if (key === "Delete" || key === "Backspace") {
      if (this._draft && this._draft.points) {
        this._draft.points.pop();
        if (!this._draft.points.length) this._draft = null;
        this._renderDraft(this._cursor);
        return true;
      }
      return this.deleteSelected();
    }
    if (key.startsWith("Arrow") && this._selected !== null) {
      const step = event.shiftKey ? 10 : 1;
      const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
      const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
      const shape = this._shape(this._selected);
      this._drag = { mode: "move", start: { x: 0, y: 0 }, before: this._snapshot(), original: JSON.parse(JSON.stringify(shape)) };
      this._dragTo({ x: dx, y: dy });
      const before = this._drag.before;
      this._drag = null;
      this._renderShape(shape);
      this._renderHandles();
      this._commit(before);
      return true;
    }
    return false;
  }

  // Value

  /** The shapes in Ground Truth's form, in whole pixels (edges rounded, so a box never
   * grows past the image). */
  _valueShapes() {
    const kind = this.constructor.kind;
    const round = (p) => ({ x: Math.round(p.x), y: Math.round(p.y) });
    return this._shapes.map((shape) => {
      if (kind === "box") {
        const left = Math.round(shape.box.left);
        const top = Math.round(shape.box.top);
        const right = Math.round(shape.box.left + shape.box.width);
        const bottom = Math.round(shape.box.top + shape.box.height);
        return { height: bottom - top, label: shape.label, left, top, width: right - left };
      }
      if (kind === "point") return { label: shape.label, ...round(shape.point) };
      return { label: shape.label, vertices: shape.points.map(round) };
    });
  }

  crowdValue() {
    if (!this.imageReady) return undefined;
    const value = { inputImageProperties: this.inputImageProperties };
    value[this.constructor.valueKey] = this._valueShapes();
    if (this.hasAttribute("initial-value")) {
      value.initialValueModified = JSON.stringify(value[this.constructor.valueKey]) !== this._initialJson;
    }
    return value;
  }

  get value() {
    return this.crowdValue();
  }

  crowdValidate() {
    const problem = super.crowdValidate();
    if (problem) return problem;
    if (this._draft) return this._showError("Finish or cancel (Esc) the shape you are drawing.");
    if (this.constructor.kind === "box" && this._valueShapes().some((b) => b.width < 1 || b.height < 1)) {
      return this._showError("A box is smaller than one pixel; delete or resize it.");
    }
    return "";
  }

  crowdReset() {
    this._shapes = this._parseInitial();
    this._history = [];
    this._future = [];
    this._selected = null;
    this._renderAll();
    this._changed();
  }

  /** The number of shapes drawn (for templates and tests). */
  get shapeCount() {
    return this._shapes.length;
  }
}

export class CrowdBoundingBox extends ShapeAnnotator {
  static kind = "box";
  static valueKey = "boundingBoxes";
}

export class CrowdPolygon extends ShapeAnnotator {
  static kind = "polygon";
  static valueKey = "polygons";
}

export class CrowdLine extends ShapeAnnotator {
  static kind = "line";
  static valueKey = "lines";
}

export class CrowdPolyline extends ShapeAnnotator {
  static kind = "polyline";
  static valueKey = "polylines";
}

export class CrowdKeypoint extends ShapeAnnotator {
  static kind = "point";
  static valueKey = "keypoints";

  _valueShapes() {
    return this._shapes.map((shape) => ({
      label: shape.label,
      x: Math.round(shape.point.x),
      y: Math.round(shape.point.y),
    }));
  }
}
