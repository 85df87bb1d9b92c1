// Pixel masks on an image: <crowd-semantic-segmentation> (one colour per label) and
// <crowd-instance-segmentation> (one colour per object). Tools: brush, polygon fill,
// eraser, brush size; zoom, pan, undo/redo come from the viewport.
//
// The mask is one byte per image pixel (0 = background), painted by our own rasterizer,
// never by canvas strokes: canvas antialiasing would blend label colours at the edges,
// and the submitted PNG must hold exactly one colour per label, as Ground Truth's does.
// Submits (crowd-elements spec 2.1):
//   semantic  {"inputImageProperties", "labelMappings": {"<label>": {"color"}}, "labeledImage": {"pngImageData"}}
//   instance  {"inputImageProperties", "instances": [{"color", "label"}], "labeledImage": {"pngImageData"}}
// with the background white (#ffffff), the colour Ground Truth's output maps to BACKGROUND.
import { escapeHtml, parseLiteral } from "./lib.js";
import { CATEGORY10, ICONS, ImageAnnotatorBase } from "./viewport.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const BACKGROUND = "#ffffff";
const MAX_HISTORY = 100;
const CLOSE_SCREEN_PX = 10;
const PNG_STRIP_PIXELS = 4_000_000; // rows per putImageData strip: ~16 MB of RGBA at a time

const SEGMENTATION_CSS = `
  .mask { position: absolute; left: 0; top: 0; opacity: .55; image-rendering: pixelated; pointer-events: none; }
  .draft-svg { overflow: visible; pointer-events: none; }
  .draft-svg .draft { fill: color-mix(in srgb, var(--c) 25%, transparent); stroke: var(--c); stroke-width: 2;
    stroke-dasharray: 6 4; vector-effect: non-scaling-stroke; }
  .draft-svg .vertex { r: var(--handle-r); fill: var(--c); stroke: #fff; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  .draft-svg .vertex.first { r: calc(var(--handle-r) * 1.5); fill: #fff; stroke: var(--c); stroke-width: 2.5; }
  .brush-cursor { position: absolute; left: 0; top: 0; border: 2px solid #fff; border-radius: 50%;
    box-shadow: 0 0 0 1px rgba(0,0,0,.6); pointer-events: none; display: none; }
  .stage.show-brush .brush-cursor { display: block; }
  .stage.show-brush { cursor: none; }
  .size { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; color: var(--crowd-muted); padding: 0 6px; }
  .size input { width: 90px; accent-color: var(--crowd-accent); }
  .opacity input { width: 70px; }
  .instances { display: grid; gap: 4px; max-height: 180px; overflow: auto; }
  .instances:empty { display: none; }
  .instance { display: flex; align-items: center; gap: 8px; padding: 5px 8px; border: 1px solid transparent;
    border-radius: 8px; background: none; color: inherit; font-size: 13px; text-align: left; }
  .instance[aria-pressed="true"] { border-color: var(--c); background: color-mix(in srgb, var(--c) 12%, white); }
  .instance .chip { width: 12px; height: 12px; border-radius: 50%; background: var(--c); }
`;

function hexToRgb(hex) {
  const match = /^#?([0-9a-f]{6})$/i.exec(String(hex).trim());
  const value = match ? parseInt(match[1], 16) : 0x7f7f7f;
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function instanceColor(index) {
  if (index < CATEGORY10.length) return CATEGORY10[index];
  // Golden-angle hues past the palette; never white, never the same twice in 255.
  const hue = (index * 137.508) % 360;
  const light = 0.45 + ((index * 7) % 3) * 0.08;
  const k = (n) => (n + hue / 30) % 12;
  const a = 0.65 * Math.min(light, 1 - light);
  const channel = (n) => Math.round(255 * (light - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return `#${[channel(0), channel(8), channel(4)].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

class MaskAnnotator extends ImageAnnotatorBase {
  static css = SEGMENTATION_CSS;
  static instances = false;

  static get observedAttributes() {
    return [...super.observedAttributes, "initial-value"];
  }

  constructor() {
    super();
    this._tool = "brush";
    this._brush = 24; // diameter in screen pixels
    this._mask = null;
    this._stroke = null;
    this._draft = null;
    this._instances = []; // instance segmentation: [{label, color}]
    this._instance = -1;
    this._canvas = this.shadowRoot.querySelector("canvas.mask");
    this._draftSvg = this.shadowRoot.querySelector("svg.draft-svg");
    this._brushCursor = document.createElement("div");
    this._brushCursor.className = "brush-cursor";
    this._stage.append(this._brushCursor);
    const extra = this.shadowRoot.querySelector(".extra-tools");
    extra.innerHTML = `<label class="size" title="Brush size ([ and ])">Size
        <input type="range" min="2" max="120" value="${this._brush}" class="brush-size"></label>
      <label class="size opacity" title="Mask opacity">Opacity
        <input type="range" min="10" max="100" value="55" class="mask-opacity"></label>`;
    extra.querySelector(".brush-size").addEventListener("input", (event) => {
      this._brush = Number(event.target.value);
      this._updateBrushCursor();
    });
    extra.querySelector(".mask-opacity").addEventListener("input", (event) => {
      this._canvas.style.opacity = String(Number(event.target.value) / 100);
    });
    if (this.constructor.instances) {
      const panel = this.shadowRoot.querySelector(".panel-extra");
      panel.innerHTML = `<h3>Objects</h3><div class="instances" role="listbox" aria-label="Objects"></div>
        <button type="button" class="tool new-instance" title="New object of the current label (N)">+ New object</button>`;
      panel.querySelector(".instances").addEventListener("click", (event) => {
        const row = event.target.closest("button.instance");
        if (row) this._selectInstance(Number(row.dataset.index));
      });
      panel.querySelector(".new-instance").addEventListener("click", () => this.newInstance());
    }
    this._setTool("brush");
    this._hint.textContent = "Paint with the brush; P fills a polygon, E erases. [ and ] change the brush size.";
  }

  _layerMarkup() {
    return `<canvas class="mask"></canvas><svg class="layer draft-svg" xmlns="${SVG_NS}"></svg>`;
  }

  _toolButtons() {
    return `<button type="button" class="tool" data-action="brush" title="Brush (B)">${ICONS.brush}Brush</button>
      <button type="button" class="tool" data-action="fill" title="Polygon fill (P)">${ICONS.polygon}Fill</button>
      <button type="button" class="tool" data-action="eraser" title="Eraser (E)">${ICONS.eraser}Eraser</button>`;
  }

  _keysHelp() {
    return `<div><span class="kbd">1</span>…<span class="kbd">9</span>label</div>
      <div><span class="kbd">B</span>brush <span class="kbd">P</span>fill <span class="kbd">E</span>erase</div>
      <div><span class="kbd">[</span><span class="kbd">]</span>brush size</div>
      ${this.constructor.instances ? '<div><span class="kbd">N</span>new object</div>' : ""}
      <div><span class="kbd">Ctrl Z</span>undo · <span class="kbd">F</span>fit</div>
      <div><span class="kbd">Space</span>+drag pan · wheel zoom</div>`;
  }

  _onImageReady() {
    const { imageWidth: width, imageHeight: height } = this;
    this._mask = new Uint8Array(width * height);
    this._canvas.width = width;
    this._canvas.height = height;
    this._context = this._canvas.getContext("2d");
    this._draftSvg.setAttribute("width", width);
    this._draftSvg.setAttribute("height", height);
    this._draftSvg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this._history = [];
    this._future = [];
    this._counts = new Map();
    if (this.constructor.instances && !this._instances.length && this.labels.length) this.newInstance(false);
    this._loadInitialMask();
  }

  _onZoom(scale) {
    this._draftSvg.style.setProperty("--handle-r", `${5 / scale}px`);
  }

  // Colours: index in the mask -> [label, hex colour]

  _entries() {
    if (this.constructor.instances) return this._instances.map((instance) => [instance.label, instance.color]);
    return this.labels.map((label) => [label, this.labelColor(label)]);
  }

  _paintIndex() {
    if (this._tool === "eraser") return 0;
    if (this.constructor.instances) return this._instance + 1;
    return this._labelIndex + 1;
  }

  _rgbaTable() {
    const table = new Uint8ClampedArray(256 * 4);
    this._entries().forEach(([, color], index) => {
      const [r, g, b] = hexToRgb(color);
      table.set([r, g, b, 255], (index + 1) * 4);
    });
    return table;
  }

  _redraw(left = 0, top = 0, right = this.imageWidth, bottom = this.imageHeight) {
    left = Math.max(0, Math.floor(left));
    top = Math.max(0, Math.floor(top));
    right = Math.min(this.imageWidth, Math.ceil(right));
    bottom = Math.min(this.imageHeight, Math.ceil(bottom));
    if (right <= left || bottom <= top || !this._context) return;
    const width = right - left;
    const table = this._rgbaTable();
    const rows = Math.max(1, Math.floor(PNG_STRIP_PIXELS / width));
    for (let y0 = top; y0 < bottom; y0 += rows) {
      const height = Math.min(rows, bottom - y0);
      const image = this._context.createImageData(width, height);
      const data = image.data;
      for (let y = 0; y < height; y += 1) {
        let source = (y0 + y) * this.imageWidth + left;
        let target = y * width * 4;
        for (let x = 0; x < width; x += 1, source += 1, target += 4) {
          const index = this._mask[source];
          if (index) {
            const at = index * 4;
            data[target] = table[at];
            data[target + 1] = table[at + 1];
            data[target + 2] = table[at + 2];
            data[target + 3] = table[at + 3];
          }
        }
      }
      this._context.putImageData(image, left, y0);
    }
  }

  // Painting with undo patches: (pixel, before, after) triples for each changed pixel.

  _setPixel(index, value) {
    const old = this._mask[index];
    if (old === value) return;
    const stroke = this._stroke;
    if (stroke) {
      stroke.indices.push(index);
      stroke.before.push(old);
    }
    this._mask[index] = value;
  }

  _stamp(cx, cy, radius, value, dirty) {
    const width = this.imageWidth;
    const top = Math.max(0, Math.floor(cy - radius));
    const bottom = Math.min(this.imageHeight - 1, Math.ceil(cy + radius));
    for (let y = top; y <= bottom; y += 1) {
      const dy = y + 0.5 - cy;
      const span = radius * radius - dy * dy;
      if (span < 0) continue;
      const dx = Math.sqrt(span);
      const from = Math.max(0, Math.ceil(cx - dx - 0.5));
      const to = Math.min(width - 1, Math.floor(cx + dx - 0.5));
      for (let x = from; x <= to; x += 1) this._setPixel(y * width + x, value);
    }
    dirty.left = Math.min(dirty.left, cx - radius - 1);
    dirty.top = Math.min(dirty.top, cy - radius - 1);
    dirty.right = Math.max(dirty.right, cx + radius + 1);
    dirty.bottom = Math.max(dirty.bottom, cy + radius + 1);
  }

  _paintSegment(from, to) {
    const radius = Math.max(0.5, (this._brush / 2) * this.pixel);
    const dirty = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    const distance = Math.hypot(to.x - from.x, to.y - from.y);
    const steps = Math.max(1, Math.ceil(distance / Math.max(0.5, radius / 2)));
    const value = this._paintIndex();
    for (let step = 0; step <= steps; step += 1) {
      const t = step / steps;
      this._stamp(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, radius, value, dirty);
    }
    this._redraw(dirty.left, dirty.top, dirty.right, dirty.bottom);
  }

  /** Fill a polygon (even-odd, pixel centres) with the current paint value. */
  fillPolygon(points, value = this._paintIndex()) {
    const width = this.imageWidth;
    const ys = points.map((p) => p.y);
    const top = Math.max(0, Math.floor(Math.min(...ys)));
    const bottom = Math.min(this.imageHeight - 1, Math.ceil(Math.max(...ys)));
    for (let y = top; y <= bottom; y += 1) {
      const cy = y + 0.5;
      const crossings = [];
      for (let i = 0; i < points.length; i += 1) {
        const a = points[i];
        const b = points[(i + 1) % points.length];
        if ((a.y <= cy && b.y > cy) || (b.y <= cy && a.y > cy)) {
          crossings.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
        }
      }
      crossings.sort((p, q) => p - q);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const from = Math.max(0, Math.ceil(crossings[k] - 0.5));
        const to = Math.min(width - 1, Math.floor(crossings[k + 1] - 0.5));
        for (let x = from; x <= to; x += 1) this._setPixel(y * width + x, value);
      }
    }
    const xs = points.map((p) => p.x);
    this._redraw(Math.min(...xs) - 1, top - 1, Math.max(...xs) + 2, bottom + 2);
  }

  _beginStroke() {
    this._stroke = { indices: [], before: [], value: this._paintIndex() };
  }

  _endStroke() {
    const stroke = this._stroke;
    this._stroke = null;
    if (!stroke || !stroke.indices.length) return;
    const patch = {
      indices: Int32Array.from(stroke.indices),
      before: Uint8Array.from(stroke.before),
      after: new Uint8Array(stroke.indices.length),
    };
    for (let i = 0; i < patch.indices.length; i += 1) patch.after[i] = this._mask[patch.indices[i]];
    this._history.push(patch);
    if (this._history.length > MAX_HISTORY) this._history.shift();
    this._future = [];
    this._recount();
    this._changed();
  }

  _applyPatch(patch, values, reverse) {
    const { indices } = patch;
    const width = this.imageWidth;
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    const order = reverse ? [...indices.keys()].reverse() : indices.keys();
    for (const i of order) {
      const index = indices[i];
      this._mask[index] = values[i];
      const x = index % width;
      const y = (index - x) / width;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
    this._redraw(left, top, right + 1, bottom + 1);
  }

  undo() {
    const patch = this._history.pop();
    if (!patch) return;
    this._applyPatch(patch, patch.before, true);
    this._future.push(patch);
    this._recount();
    this._changed();
  }

  redo() {
    const patch = this._future.pop();
    if (!patch) return;
    this._applyPatch(patch, patch.after, false);
    this._history.push(patch);
    this._recount();
    this._changed();
  }

  _recount() {
    // Label counts in the panel: painted pixels as a share of the image.
    const histogram = new Uint32Array(256);
    const mask = this._mask;
    for (let i = 0; i < mask.length; i += 1) histogram[mask[i]] += 1;
    this._histogram = histogram;
    this._renderInstances();
  }

  _labelCounts() {
    const counts = new Map();
    if (!this._histogram) return counts;
    const total = this.imageWidth * this.imageHeight || 1;
    const add = (label, pixels) => counts.set(label, (counts.get(label) || 0) + pixels);
    this._entries().forEach(([label], index) => add(label, this._histogram[index + 1]));
    for (const [label, pixels] of counts) {
      counts.set(label, pixels ? `${Math.max(0.1, (100 * pixels) / total).toFixed(1)}%` : 0);
    }
    return counts;
  }

  // Pointer

  _pointerDown(event, raw) {
    const point = this.clampPoint(raw);
    if (this._tool === "fill") {
      this._addFillPoint(point, raw);
      return;
    }
    if (!this._paintIndex() && this._tool !== "eraser") {
      this._showError("There is no label to paint with.");
      return false;
    }
    this._beginStroke();
    this._last = raw;
    this._paintSegment(raw, raw);
    return undefined;
  }

  _pointerMove(event, raw) {
    this._moveBrushCursor(event);
    if (this._tool === "fill" && this._draft) {
      this._renderDraft(this.clampPoint(raw));
      return;
    }
    if (!this._stroke) return;
    const last = this._last;
    this._last = raw;
    this._paintSegment(last, raw);
  }

  _pointerUp() {
    if (this._stroke) this._endStroke();
  }

  _moveBrushCursor(event) {
    const rect = this._stage.getBoundingClientRect();
    const size = this._brush;
    this._brushCursor.style.width = `${size}px`;
    this._brushCursor.style.height = `${size}px`;
    this._brushCursor.style.transform = `translate(${event.clientX - rect.left - size / 2}px, ${event.clientY - rect.top - size / 2}px)`;
  }

  _updateBrushCursor() {
    this._brushCursor.style.width = `${this._brush}px`;
    this._brushCursor.style.height = `${this._brush}px`;
    const input = this.shadowRoot.querySelector(".brush-size");
    if (input && Number(input.value) !== this._brush) input.value = String(this._brush);
  }

  _addFillPoint(point, raw) {
    if (!this._draft) {
      this._draft = { points: [point] };
      this._renderDraft(point);
      return;
    }
    const first = this._draft.points[0];
    if (this._draft.points.length >= 3 && Math.hypot(first.x - raw.x, first.y - raw.y) <= CLOSE_SCREEN_PX * this.pixel) {
      this._finishFill();
      return;
    }
    this._draft.points.push(point);
    this._renderDraft(point);
  }

  _finishFill() {
    const draft = this._draft;
    if (!draft || draft.points.length < 3) {
      this._showError("A fill polygon needs at least 3 points.");
      return true;
    }
    this._draft = null;
    this._renderDraft();
    this._beginStroke();
    this.fillPolygon(draft.points);
    this._endStroke();
    return true;
  }

  _renderDraft(cursor) {
    if (!this._draft) {
      this._draftSvg.innerHTML = "";
      return;
    }
    const [, color] = this._entries()[this._paintIndex() - 1] || ["", "#ffffff"];
    const points = cursor ? [...this._draft.points, cursor] : this._draft.points;
    this._draftSvg.innerHTML = `<polygon class="draft" points="${points.map((p) => `${p.x},${p.y}`).join(" ")}" style="--c:${escapeHtml(color)}"/>${this._draft.points
      .map((p, i) => `<circle class="vertex${i ? "" : " first"}" cx="${p.x}" cy="${p.y}" style="--c:${escapeHtml(color)}"/>`)
      .join("")}`;
  }

  // Tools, labels, instances

  _setTool(tool) {
    this._tool = tool;
    this._draft = null;
    this._renderDraft();
    for (const button of this.shadowRoot.querySelectorAll(".tools .tool")) {
      button.setAttribute("aria-pressed", String(button.dataset.action === tool));
    }
    this._stage.classList.toggle("show-brush", tool !== "fill");
    this._setPanTool(false);
  }

  _toolAction(action) {
    if (["brush", "fill", "eraser"].includes(action)) this._setTool(action);
  }

  _toolShortcut(event) {
    const key = event.key.toLowerCase();
    if (key === "b") this._setTool("brush");
    else if (key === "p") this._setTool("fill");
    else if (key === "e") this._setTool("eraser");
    else if (key === "[") this._brush = Math.max(2, this._brush - 4);
    else if (key === "]") this._brush = Math.min(120, this._brush + 4);
    else if (key === "n" && this.constructor.instances) this.newInstance();
    else if (key === "escape" && this._draft) {
      this._draft = null;
      this._renderDraft();
    } else if (key === "enter" && this._draft) return this._finishFill();
    else return false;
    this._updateBrushCursor();
    return true;
  }

  _onLabelSelected(label) {
    if (this._tool === "eraser") this._setTool("brush");
    if (!this.constructor.instances) return;
    const current = this._instances[this._instance];
    if (current && current.label === label) return;
    for (let index = this._instances.length - 1; index >= 0; index -= 1) {
      if (this._instances[index].label === label) {
        this._selectInstance(index);
        return;
      }
    }
    this.newInstance();
  }

  newInstance(render = true) {
    const label = this.currentLabel;
    if (!label || this._instances.length >= 255) return;
    this._instances.push({ label, color: instanceColor(this._instances.length) });
    this._instance = this._instances.length - 1;
    if (render) this._renderInstances();
  }

  _selectInstance(index) {
    const instance = this._instances[index];
    if (!instance) return;
    this._instance = index;
    this._labelIndex = Math.max(0, this.labels.indexOf(instance.label));
    if (this._tool === "eraser") this._setTool("brush");
    this._renderLabels();
    this._renderInstances();
  }

  _renderInstances() {
    const list = this.shadowRoot.querySelector(".instances");
    if (!list) return;
    const seen = new Map();
    list.innerHTML = this._instances
      .map((instance, index) => {
        const number = (seen.get(instance.label) || 0) + 1;
        seen.set(instance.label, number);
        return `<button type="button" class="instance" data-index="${index}" aria-pressed="${index === this._instance}"
          style="--c:${escapeHtml(instance.color)}"><span class="chip"></span>${escapeHtml(instance.label)} ${number}</button>`;
      })
      .join("");
  }

  _onLabelsChanged() {
    if (this._mask) this._redraw();
  }

  async _loadInitialMask() {
    const initial = parseLiteral(this.getAttribute("initial-value"), null);
    if (!initial || typeof initial !== "object" || !initial.src) return;
    const mappings = initial.labelMappings || {};
    const image = new Image();
    image.crossOrigin = "anonymous";
    image.src = initial.src;
    try {
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = this.imageWidth;
      canvas.height = this.imageHeight;
      const context = canvas.getContext("2d");
      context.imageSmoothingEnabled = false;
      context.drawImage(image, 0, 0, this.imageWidth, this.imageHeight);
      const data = context.getImageData(0, 0, this.imageWidth, this.imageHeight).data;
      const byColor = new Map();
      for (const [label, mapping] of Object.entries(mappings)) {
        const index = this.labels.indexOf(label);
        if (index >= 0 && mapping && mapping.color) byColor.set(hexToRgb(mapping.color).join(","), index + 1);
      }
      for (let i = 0; i < this._mask.length; i += 1) {
        const at = i * 4;
        this._mask[i] = byColor.get(`${data[at]},${data[at + 1]},${data[at + 2]}`) || 0;
      }
      this._initialMask = this._mask.slice();
      this._redraw();
      this._recount();
      this._renderLabels();
    } catch {
      this._showError("The earlier mask could not be loaded; start from an empty one.");
    }
  }

  // Value

  /** The mask as a PNG (base64, no data: prefix): white background, one colour each. */
  maskPngBase64() {
    const canvas = document.createElement("canvas");
    canvas.width = this.imageWidth;
    canvas.height = this.imageHeight;
    const context = canvas.getContext("2d");
    const table = this._rgbaTable();
    const [r, g, b] = hexToRgb(BACKGROUND);
    table.set([r, g, b, 255], 0);
    const width = this.imageWidth;
    const rows = Math.max(1, Math.floor(PNG_STRIP_PIXELS / width));
    for (let y0 = 0; y0 < this.imageHeight; y0 += rows) {
      const height = Math.min(rows, this.imageHeight - y0);
      const image = context.createImageData(width, height);
      const data = image.data;
      let source = y0 * width;
      for (let target = 0; target < data.length; target += 4, source += 1) {
        const at = this._mask[source] * 4;
        data[target] = table[at];
        data[target + 1] = table[at + 1];
        data[target + 2] = table[at + 2];
        data[target + 3] = 255;
      }
      context.putImageData(image, 0, y0);
    }
    return canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
  }

  crowdValue() {
    if (!this.imageReady || !this._mask) return undefined;
    const value = { inputImageProperties: this.inputImageProperties };
    if (this.constructor.instances) {
      value.instances = this._instances.map(({ color, label }) => ({ color, label }));
    } else {
      value.labelMappings = Object.fromEntries(this.labels.map((label) => [label, { color: this.labelColor(label) }]));
    }
    value.labeledImage = { pngImageData: this.maskPngBase64() };
    if (this.hasAttribute("initial-value")) {
      const initial = this._initialMask;
      value.initialValueModified = initial ? initial.some((v, i) => v !== this._mask[i]) : this._history.length > 0;
    }
    return value;
  }

  get value() {
    return this.crowdValue();
  }

  crowdValidate() {
    const problem = super.crowdValidate();
    if (problem) return problem;
    if (this._draft) return this._showError("Close (Enter) or cancel (Esc) the fill polygon first.");
    return "";
  }

  crowdReset() {
    if (!this._mask) return;
    this._mask.fill(0);
    if (this._initialMask) this._mask.set(this._initialMask);
    this._history = [];
    this._future = [];
    this._redraw();
    this._recount();
    this._changed();
  }
}

export class CrowdSemanticSegmentation extends MaskAnnotator {
  static instances = false;

  /** Past the ten palette colours, label colours continue as object colours do: the
   * viewport's palette repeats, and a mask needs one colour per label (the server's
   * consolidated masks use the same sequence, apps/tasks/masks.py palette_color). */
  labelColor(label) {
    const index = this.labels.indexOf(label);
    const custom = parseLiteral(this.getAttribute("label-colors"), []);
    if (index < CATEGORY10.length || (Array.isArray(custom) && typeof custom[index] === "string")) {
      return super.labelColor(label);
    }
    return instanceColor(index);
  }
}

export class CrowdInstanceSegmentation extends MaskAnnotator {
  static instances = true;

  /** Colours name objects here, not labels: label chips stay neutral so that no label
   * seems to share an object's colour. */
  labelColor() {
    return "#667085";
  }
}
