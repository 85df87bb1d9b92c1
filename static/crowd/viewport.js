// The shared frame of the image annotation tools: header, toolbar, a zoomable and
// pannable stage over the image (the image at its natural size under a CSS transform, so
// an 8000x8000 px photo is never re-encoded), a label list with hotkeys and counts,
// a crosshair, undo/redo, and the instructions aside.
//
// Subclasses (`shapes.js`, `segmentation.js`) draw on a layer inside `this._world`, in
// image pixels, and implement: _layerMarkup(), _onImageReady(), _pointerDown/Move/Up(),
// _snapshot()/_restore() for undo, _labelCounts(), _onZoom(), _toolButtons().
import {
  BASE_CSS,
  WIDGET_CSS,
  activateShortcuts,
  escapeHtml,
  instructionsMarkup,
  parseLiteral,
  registerShortcuts,
  unregisterShortcuts,
  upgradeProperties,
  wireInstructions,
} from "./lib.js";

// d3's category10, the palette Ground Truth's image tools use (its sample outputs show
// "#1f77b4" and "#ff7f0e").
export const CATEGORY10 = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];
const MAX_HISTORY = 200;
const MIN_ZOOM_FACTOR = 0.25; // of the fitted scale
const MAX_SCALE = 16;
const ASYNC_DECODE_PIXELS = 4096 * 4096;

export const VIEWPORT_CSS = `
  ${BASE_CSS}
  ${WIDGET_CSS}
  :host { --stage-height: 600px; }
  .layout { grid-template-columns: minmax(0, 1fr) 240px; }
  .main { padding: 16px 18px; }
  .header { margin-bottom: 10px; }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 8px; }
  .group { display: inline-flex; align-items: center; gap: 2px; padding: 2px; border: 1px solid var(--crowd-line);
    border-radius: 8px; background: #fff; }
  .tool { display: inline-flex; align-items: center; gap: 6px; border: 0; background: none; color: #344054;
    height: 30px; min-width: 30px; padding: 0 8px; border-radius: 6px; font-size: 13px; font-weight: 600; }
  .tool:hover:not(:disabled) { background: #f2f4f7; }
  .tool[aria-pressed="true"] { background: var(--crowd-accent-soft); color: var(--crowd-accent); }
  .tool:disabled { opacity: .35; cursor: default; }
  .tool svg { width: 16px; height: 16px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round;
    stroke-linejoin: round; }
  .zoom-level { font: 600 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--crowd-muted);
    min-width: 44px; text-align: center; }
  .spacer { flex: 1; }
  .group:empty { display: none; }
  .body { display: grid; grid-template-columns: minmax(0, 1fr) 190px; gap: 10px; }
  .stage { position: relative; height: var(--stage-height); overflow: hidden; border-radius: 8px;
    background: #1d2330 repeating-conic-gradient(#252b38 0 25%, #1d2330 0 50%) 0 0 / 24px 24px;
    touch-action: none; user-select: none; -webkit-user-select: none; outline: none; cursor: crosshair; }
  .stage:focus-visible { box-shadow: 0 0 0 2px #b2ccff; }
  .stage.panning, .stage.pan-tool { cursor: grab; }
  .stage.panning:active { cursor: grabbing; }
  .stage.over-shape { cursor: move; }
  .stage.over-handle { cursor: pointer; }
  .world { position: absolute; left: 0; top: 0; transform-origin: 0 0; will-change: transform; }
  .world img { display: block; max-width: none; user-select: none; -webkit-user-drag: none; pointer-events: none; }
  /* Its own compositing layer: repainting a moved shape never re-rasterizes the image. */
  .layer { position: absolute; left: 0; top: 0; overflow: visible; will-change: transform; }
  /* Where Ground Truth's Fabric.js drawing canvas is: templates measure it to lay their own
     overlays over the stage (docs/task-ui-compatibility.md). */
  .upper-canvas { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  .cross { position: absolute; pointer-events: none; background: rgba(255,255,255,.75);
    mix-blend-mode: difference; display: none; }
  .cross.h { left: 0; right: 0; height: 1px; }
  .cross.v { top: 0; bottom: 0; width: 1px; }
  .stage.crosshair .cross { display: block; }
  .coords { position: absolute; right: 8px; bottom: 8px; padding: 2px 8px; border-radius: 6px; pointer-events: none;
    background: rgba(16,24,40,.7); color: #fff; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
  .coords:empty { display: none; }
  .message { position: absolute; inset: 0; display: grid; place-items: center; color: #d0d5dd; font-size: 14px;
    pointer-events: none; }
  .message:empty { display: none; }
  .panel { display: flex; flex-direction: column; gap: 10px; min-width: 0; }
  .panel h3 { margin: 0; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--crowd-muted); }
  .labels { display: grid; gap: 4px; max-height: calc(var(--stage-height) - 120px); overflow: auto; }
  .label { display: grid; grid-template-columns: 12px minmax(0, 1fr) auto auto; align-items: center; gap: 8px;
    width: 100%; padding: 7px 8px; border: 1px solid transparent; border-radius: 8px; background: none;
    color: inherit; text-align: left; font-size: 14px; }
  .label:hover { background: #f5f7fa; }
  .label[aria-pressed="true"] { background: color-mix(in srgb, var(--c) 12%, white); border-color: var(--c); }
  .label .chip { width: 12px; height: 12px; border-radius: 3px; background: var(--c); }
  .label .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .label .count { font: 600 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--crowd-muted);
    background: #f2f4f7; border-radius: 999px; padding: 0 7px; }
  .keys { font-size: 12px; color: var(--crowd-muted); line-height: 1.9; border-top: 1px solid var(--crowd-line);
    padding-top: 8px; }
  .keys .kbd { margin-right: 4px; }
  .hint { font-size: 13px; color: var(--crowd-muted); margin: 8px 0 0; min-height: 20px; }
  @media (max-width: 900px) { .body { grid-template-columns: minmax(0, 1fr); } }
`;

export const ICONS = {
  undo: '<svg viewBox="0 0 24 24"><path d="M9 14 4 9l5-5"/><path d="M4 9h11a5 5 0 0 1 0 10h-3"/></svg>',
  redo: '<svg viewBox="0 0 24 24"><path d="m15 14 5-5-5-5"/><path d="M20 9H9a5 5 0 0 0 0 10h3"/></svg>',
  zoomIn: '<svg viewBox="0 0 24 24"><circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5M11 8v6M8 11h6"/></svg>',
  zoomOut: '<svg viewBox="0 0 24 24"><circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5M8 11h6"/></svg>',
  fit: '<svg viewBox="0 0 24 24"><path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/></svg>',
  pan: '<svg viewBox="0 0 24 24"><path d="M12 2v20M2 12h20M12 2l-3 3M12 2l3 3M12 22l-3-3M12 22l3-3M2 12l3-3M2 12l3 3M22 12l-3-3M22 12l-3 3"/></svg>',
  trash: '<svg viewBox="0 0 24 24"><path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/></svg>',
  box: '<svg viewBox="0 0 24 24"><rect x="4" y="5" width="16" height="14" rx="1"/></svg>',
  polygon: '<svg viewBox="0 0 24 24"><path d="M12 3 21 10l-4 10H7L3 10z"/></svg>',
  line: '<svg viewBox="0 0 24 24"><path d="M4 20 20 4"/></svg>',
  point: '<svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="4"/></svg>',
  brush: '<svg viewBox="0 0 24 24"><path d="M18 3l3 3-9 9-3-3z"/><path d="M9 15c-3 0-4 2-4 4 0 1-1 2-2 2 4 1 8 0 8-4z"/></svg>',
  eraser: '<svg viewBox="0 0 24 24"><path d="m16 3 5 5-11 11H5l-3-3z"/><path d="M9 19h12"/></svg>',
};

/** Labels from `labels` (strings or {label}) and colours from `label-colors`. */
export function parseLabels(raw) {
  const list = Array.isArray(raw) ? raw : [];
  return list
    .map((item) => (item && typeof item === "object" ? item.label ?? item.name ?? item.text : item))
    .filter((item) => item !== undefined && item !== null && String(item) !== "")
    .map(String);
}

export class ImageAnnotatorBase extends HTMLElement {
  static get observedAttributes() {
    return ["src", "labels", "header", "label-colors"];
  }

  /** The tools' extra CSS and the hint line; subclasses override. */
  static css = "";

  constructor() {
    super();
    this.acceptsModifiedKeys = true;
    this.attachShadow({ mode: "open", slotAssignment: "manual" });
    this.shadowRoot.innerHTML = `
      <style>${VIEWPORT_CSS}${this.constructor.css}</style>
      <div class="layout">
        <section class="main" part="main">
          <h2 class="header" part="header"></h2>
          <div class="toolbar" role="toolbar" aria-label="Tools">
            <span class="group tools"></span>
            <span class="group">
              <button type="button" class="tool" data-action="zoom-out" title="Zoom out (−)">${ICONS.zoomOut}</button>
              <span class="zoom-level">100%</span>
              <button type="button" class="tool" data-action="zoom-in" title="Zoom in (+)">${ICONS.zoomIn}</button>
              <button type="button" class="tool" data-action="fit" title="Fit the image (F)">${ICONS.fit}</button>
              <button type="button" class="tool" data-action="pan" title="Pan (H, or hold Space and drag)">${ICONS.pan}</button>
            </span>
            <span class="group">
              <button type="button" class="tool" data-action="undo" title="Undo (Ctrl+Z)">${ICONS.undo}</button>
              <button type="button" class="tool" data-action="redo" title="Redo (Ctrl+Shift+Z)">${ICONS.redo}</button>
            </span>
            <span class="spacer"></span>
            <span class="group extra-tools"></span>
          </div>
          <div class="body">
            <div class="stage" tabindex="0" part="stage" aria-label="Image">
              <div class="world"><img alt="" part="image" draggable="false">${this._layerMarkup()}</div>
              <canvas class="upper-canvas" aria-hidden="true"></canvas>
              <div class="cross h"></div><div class="cross v"></div>
              <div class="coords" aria-hidden="true"></div>
              <div class="message"></div>
            </div>
            <div class="panel">
              <h3>Labels</h3>
              <div class="labels" role="listbox" aria-label="Labels"></div>
              <div class="panel-extra"></div>
              <div class="keys">${this._keysHelp()}</div>
            </div>
          </div>
          <p class="hint" aria-live="polite"></p>
          <div class="error" role="alert"></div>
        </section>
        ${instructionsMarkup()}
      </div>`;
    const root = this.shadowRoot;
    this._stage = root.querySelector(".stage");
    this._world = root.querySelector(".world");
    this._image = root.querySelector("img");
    this._labelList = root.querySelector(".labels");
    this._crossH = root.querySelector(".cross.h");
    this._crossV = root.querySelector(".cross.v");
    this._coords = root.querySelector(".coords");
    this._message = root.querySelector(".message");
    this._hint = root.querySelector(".hint");
    this._error = root.querySelector(".error");
    this._scale = 1;
    this._tx = 0;
    this._ty = 0;
    this._fitted = true;
    this._labelIndex = 0;
    this._history = [];
    this._future = [];
    this._pan = null;
    this._spaceHeld = false;
    this._panTool = false;
    this._labelsOverride = undefined;
    this.imageWidth = 0;
    this.imageHeight = 0;
    root.querySelector(".tools").innerHTML = this._toolButtons();
    root.querySelector(".toolbar").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button) this._action(button.dataset.action, button);
    });
    this._labelList.addEventListener("click", (event) => {
      const row = event.target.closest("button.label");
      if (row) this.selectLabel(Number(row.dataset.index));
    });
    this._image.addEventListener("load", () => this._imageLoaded());
    this._image.addEventListener("error", () => {
      if (this._image.getAttribute("src")) this._setMessage("The image could not be loaded.");
    });
    this._stage.addEventListener("pointerdown", (event) => this._onPointerDown(event));
    this._stage.addEventListener("pointermove", (event) => this._onPointerMove(event));
    this._stage.addEventListener("pointerup", (event) => this._onPointerUp(event));
    this._stage.addEventListener("pointercancel", (event) => this._onPointerUp(event));
    this._stage.addEventListener("pointerleave", () => this._hideCrosshair());
    this._stage.addEventListener("wheel", (event) => this._onWheel(event), { passive: false });
    this._stage.addEventListener("contextmenu", (event) => event.preventDefault());
    this.addEventListener("pointerdown", () => activateShortcuts(this));
    this.addEventListener("focusin", () => activateShortcuts(this));
    this._resizeObserver = new ResizeObserver(() => this._onStageResize());
  }

  connectedCallback() {
    upgradeProperties(this, ["labels", "value"]);
    this._resizeObserver.observe(this._stage);
    if (!this._observer) {
      this._observer = new MutationObserver(() => wireInstructions(this));
      this._observer.observe(this, { childList: true });
    }
    wireInstructions(this);
    registerShortcuts(this);
    this._renderHeader();
    this._renderLabels();
    this._loadImage();
  }

  disconnectedCallback() {
    unregisterShortcuts(this);
    this._resizeObserver.disconnect();
  }

  attributeChangedCallback(name) {
    if (!this.shadowRoot) return;
    if (name === "src") this._loadImage();
    else if (name === "header") this._renderHeader();
    else this._renderLabels();
  }

  // Labels

  get labels() {
    if (this._labelsOverride !== undefined) return this._labelsOverride;
    return parseLabels(parseLiteral(this.getAttribute("labels"), []));
  }

  /** Templates replace the labels at run time (worker-defined labels). */
  set labels(value) {
    this._labelsOverride = parseLabels(Array.isArray(value) ? value : parseLiteral(value, []));
    this._labelIndex = Math.min(this._labelIndex, Math.max(0, this._labelsOverride.length - 1));
    this._renderLabels();
    this._onLabelsChanged();
  }

  labelColor(label) {
    const labels = this.labels;
    const custom = parseLiteral(this.getAttribute("label-colors"), []);
    const index = labels.indexOf(label);
    if (index < 0) return "#98a2b3";
    if (Array.isArray(custom) && typeof custom[index] === "string") return custom[index];
    return CATEGORY10[index % CATEGORY10.length];
  }

  get currentLabel() {
    return this.labels[this._labelIndex];
  }

  selectLabel(index) {
    const labels = this.labels;
    if (index < 0 || index >= labels.length) return;
    this._labelIndex = index;
    this._onLabelSelected(labels[index]);
    this._renderLabels();
  }

  _renderLabels() {
    if (!this._labelList) return;
    const counts = this._labelCounts();
    this._labelList.innerHTML = this.labels
      .map((label, index) => {
        const key = index < 9 ? index + 1 : index === 9 ? 0 : "";
        return `<button type="button" class="label" role="option" data-index="${index}"
            aria-pressed="${index === this._labelIndex}" style="--c: ${escapeHtml(this.labelColor(label))}">
          <span class="chip"></span><span class="name">${escapeHtml(label)}</span>
          <span class="count" title="drawn">${counts.get(label) || 0}</span>
          ${key !== "" ? `<span class="kbd" aria-hidden="true">${key}</span>` : "<span></span>"}
        </button>`;
      })
      .join("");
  }

  _renderHeader() {
    const header = this.shadowRoot.querySelector(".header");
    header.textContent = this.getAttribute("header") || "";
    header.hidden = !this.getAttribute("header");
  }

  // Image and viewport

  _loadImage() {
    const src = this.getAttribute("src") || "";
    if (src === this._loadedSrc) return;
    this._loadedSrc = src;
    if (!this._keepViewOnLoad) this.imageWidth = this.imageHeight = 0;
    if (!src) {
      this._setMessage("No image.");
      return;
    }
    this._setMessage("Loading the image…");
    this._image.src = src;
  }

  _imageLoaded() {
    this.imageWidth = this._image.naturalWidth;
    this.imageHeight = this._image.naturalHeight;
    // Decoding a huge image for display is most of its first render (0.6-1 s for an
    // 8000x8000 PNG on 2 busy cores, bench/bounding_box_ui.py), and decoded in step with
    // painting it holds every frame meanwhile. "async" lets Chromium decode it apart (a
    // hint: it mostly did here), so the boxes, tools and pointer respond while it decodes.
    // Smaller images stay in step: the frames of a sequence never flash the background.
    this._image.decoding = this.imageWidth * this.imageHeight > ASYNC_DECODE_PIXELS ? "async" : "auto";
    this._image.width = this.imageWidth;
    this._image.height = this.imageHeight;
    this._setMessage("");
    this._onImageReady();
    // A frame sequence keeps the worker's zoom from frame to frame.
    if (!this._keepViewOnLoad || !this._viewShown) this.fit();
    this._viewShown = true;
    this.dispatchEvent(new Event("crowd-image-ready", { bubbles: true, composed: true }));
  }

  get imageReady() {
    return this.imageWidth > 0;
  }

  _setMessage(text) {
    this._message.textContent = text;
  }

  fit() {
    if (!this.imageReady) return;
    const width = this._stage.clientWidth;
    const height = this._stage.clientHeight;
    if (!width || !height) return;
    const scale = Math.min(width / this.imageWidth, height / this.imageHeight) * 0.96;
    this._fitScale = scale;
    this._setView(
      scale,
      (width - this.imageWidth * scale) / 2,
      (height - this.imageHeight * scale) / 2,
    );
    this._fitted = true;
  }

  zoomBy(factor, clientX, clientY) {
    if (!this.imageReady) return;
    const rect = this._stage.getBoundingClientRect();
    const x = clientX === undefined ? rect.width / 2 : clientX - rect.left;
    const y = clientY === undefined ? rect.height / 2 : clientY - rect.top;
    const min = (this._fitScale || this._scale) * MIN_ZOOM_FACTOR;
    const scale = Math.min(MAX_SCALE, Math.max(min, this._scale * factor));
    const ratio = scale / this._scale;
    this._setView(scale, x - (x - this._tx) * ratio, y - (y - this._ty) * ratio);
    this._fitted = false;
  }

  _setView(scale, tx, ty) {
    const scaleChanged = scale !== this._scale || !this._zoomNotified;
    this._zoomNotified = true;
    this._scale = scale;
    this._tx = tx;
    this._ty = ty;
    this._world.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    this.shadowRoot.querySelector(".zoom-level").textContent = `${Math.round(scale * 100)}%`;
    if (scaleChanged) this._onZoom(scale);
  }

  _onStageResize() {
    // Nothing lost on resize: a fitted view refits, a zoomed one keeps its centre.
    if (!this.imageReady) return;
    if (this._fitted) this.fit();
    else if (this._lastStageSize) {
      const [oldWidth, oldHeight] = this._lastStageSize;
      this._setView(
        this._scale,
        this._tx + (this._stage.clientWidth - oldWidth) / 2,
        this._ty + (this._stage.clientHeight - oldHeight) / 2,
      );
    }
    this._lastStageSize = [this._stage.clientWidth, this._stage.clientHeight];
  }

  /** Image pixel coordinates of a pointer event (not clamped). */
  toImage(event) {
    const rect = this._stage.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left - this._tx) / this._scale,
      y: (event.clientY - rect.top - this._ty) / this._scale,
    };
  }

  clampPoint(point) {
    return {
      x: Math.min(this.imageWidth, Math.max(0, point.x)),
      y: Math.min(this.imageHeight, Math.max(0, point.y)),
    };
  }

  /** Image pixels per screen pixel: handles and hit slop stay the same size on screen. */
  get pixel() {
    return 1 / this._scale;
  }

  // Pointer

  _isPanGesture(event) {
    return this._panTool || this._spaceHeld || event.button === 1 || event.button === 2;
  }

  _onPointerDown(event) {
    this._stage.focus({ preventScroll: true });
    this._error.textContent = "";
    if (!this.imageReady) return;
    if (this._isPanGesture(event)) {
      this._pan = { x: event.clientX, y: event.clientY, tx: this._tx, ty: this._ty };
      this._stage.setPointerCapture(event.pointerId);
      this._stage.classList.add("panning");
      return;
    }
    if (event.button !== 0) return;
    // Double clicks are told by time and place: the shapes under the pointer are redrawn
    // after each click, and the browser counts no double click across replaced elements.
    const now = performance.now();
    const last = this._lastDown;
    this._lastDown = { time: now, x: event.clientX, y: event.clientY };
    if (last && now - last.time < 400 && Math.hypot(event.clientX - last.x, event.clientY - last.y) < 5) {
      this._lastDown = null;
      if (this._doubleClick(event, this.toImage(event)) === true) return;
    }
    if (this._pointerDown(event, this.toImage(event)) !== false) {
      this._stage.setPointerCapture(event.pointerId);
    }
  }

  _onPointerMove(event) {
    if (this._pan) {
      this._setView(
        this._scale,
        this._pan.tx + event.clientX - this._pan.x,
        this._pan.ty + event.clientY - this._pan.y,
      );
      this._fitted = false;
      return;
    }
    if (!this.imageReady) return;
    const point = this.toImage(event);
    this._showCrosshair(event, point);
    this._pointerMove(event, point);
  }

  _onPointerUp(event) {
    if (this._pan) {
      this._pan = null;
      this._stage.classList.remove("panning");
      return;
    }
    if (!this.imageReady) return;
    this._pointerUp(event, this.toImage(event));
  }

  _onWheel(event) {
    if (!this.imageReady) return;
    event.preventDefault();
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    this.zoomBy(Math.exp(-delta * 0.0015), event.clientX, event.clientY);
  }

  _showCrosshair(event, point) {
    const rect = this._stage.getBoundingClientRect();
    const inside =
      point.x >= 0 && point.y >= 0 && point.x <= this.imageWidth && point.y <= this.imageHeight;
    const drawing = !this._panTool && !this._spaceHeld;
    this._stage.classList.toggle("crosshair", inside && drawing);
    this._crossH.style.transform = `translateY(${event.clientY - rect.top}px)`;
    this._crossV.style.transform = `translateX(${event.clientX - rect.left}px)`;
    this._coords.textContent = inside ? `${Math.round(point.x)}, ${Math.round(point.y)}` : "";
  }

  _hideCrosshair() {
    this._stage.classList.remove("crosshair");
    this._coords.textContent = "";
  }

  // Toolbar and keys

  _action(action, button) {
    if (action === "zoom-in") this.zoomBy(1.25);
    else if (action === "zoom-out") this.zoomBy(0.8);
    else if (action === "fit") this.fit();
    else if (action === "pan") this._setPanTool(!this._panTool);
    else if (action === "undo") this.undo();
    else if (action === "redo") this.redo();
    else this._toolAction(action, button);
  }

  _setPanTool(on) {
    this._panTool = on;
    this._stage.classList.toggle("pan-tool", on);
    this.shadowRoot.querySelector('[data-action="pan"]').setAttribute("aria-pressed", String(on));
  }

  handleShortcut(event) {
    const key = event.key;
    const modifier = event.ctrlKey || event.metaKey;
    if (modifier && (key === "z" || key === "Z")) {
      if (event.shiftKey) this.redo();
      else this.undo();
      return true;
    }
    if (modifier && (key === "y" || key === "Y")) {
      this.redo();
      return true;
    }
    if (modifier || event.altKey) return false;
    if (/^[0-9]$/.test(key)) {
      const index = key === "0" ? 9 : Number(key) - 1;
      if (index >= this.labels.length) return false;
      this.selectLabel(index);
      return true;
    }
    if (key === " ") {
      this._spaceHeld = true;
      this._stage.classList.add("panning");
      return true;
    }
    if (key === "+" || key === "=") this.zoomBy(1.25);
    else if (key === "-" || key === "_") this.zoomBy(0.8);
    else if (key === "f" || key === "F") this.fit();
    else if (key === "h" || key === "H") this._setPanTool(!this._panTool);
    else return this._toolShortcut(event);
    return true;
  }

  handleKeyUp(event) {
    if (event.key === " ") {
      this._spaceHeld = false;
      this._stage.classList.remove("panning");
    }
  }

  // History: every committed edit pushes a snapshot of the state before it.

  _commit(before) {
    this._history.push(before);
    if (this._history.length > MAX_HISTORY) this._history.shift();
    this._future = [];
    this._changed();
  }

  undo() {
    if (!this._history.length) return;
    this._future.push(this._snapshot());
    this._restore(this._history.pop());
    this._changed();
  }

  redo() {
    if (!this._future.length) return;
    this._history.push(this._snapshot());
    this._restore(this._future.pop());
    this._changed();
  }

  _changed() {
    this.shadowRoot.querySelector('[data-action="undo"]').disabled = !this._history.length;
    this.shadowRoot.querySelector('[data-action="redo"]').disabled = !this._future.length;
    this._renderLabels();
    this._error.textContent = "";
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  get inputImageProperties() {
    return { height: this.imageHeight, width: this.imageWidth };
  }

  _showError(message) {
    this._error.textContent = message;
    return message;
  }

  crowdValidate() {
    if (!this.imageReady) return this._showError("The image has not loaded yet.");
    return "";
  }

  focus() {
    this._stage.focus();
  }

  // Hooks for subclasses
  _layerMarkup() { return ""; }
  _toolButtons() { return ""; }
  _keysHelp() { return ""; }
  _onImageReady() {}
  _onZoom() {}
  _onLabelSelected() {}
  _onLabelsChanged() {}
  _labelCounts() { return new Map(); }
  _pointerDown() { return false; }
  _pointerMove() {}
  _pointerUp() {}
  _doubleClick() {}
  _toolAction() {}
  _toolShortcut() { return false; }
  _snapshot() { return null; }
  _restore() {}
}
