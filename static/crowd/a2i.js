// Amazon A2I's review elements, as their built-in task types use them:
//   <crowd-rekognition-detect-moderation-labels>: the image and its moderation categories;
//     submits {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": [...]}}
//     with the chosen category objects whole ([] when "None" is chosen). The inner key is
//     spelled as A2I's output-data page writes it (the element page says ModerationLabels).
//   <crowd-textract-analyze-document>: a document image with Textract's key-value pairs
//     (`initial-value`: the Block list) to correct; submits
//     {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [KEY and VALUE blocks with text]}}.
//     Unless `no-geometry-edit` is set, the worker drags a box to move it and its corner
//     handles to resize it, and each block with a box carries its reviewed `geometry` in
//     Textract's shape (`boundingBox` as page ratios; a changed box's `polygon` becomes its
//     four corners, clockwise from top left, as Textract writes a box's polygon).
// Both submit under the service key, not under `name` (crowd-form reads `crowdAnswerKey`).
import { CrowdImageClassifierMultiSelect } from "./image-classifier.js";
import {
  BASE_CSS,
  WIDGET_CSS,
  booleanAttribute,
  escapeHtml,
  instructionsMarkup,
  parseLiteral,
  wireInstructions,
} from "./lib.js";

export class CrowdRekognitionDetectModerationLabels extends CrowdImageClassifierMultiSelect {
  get crowdAnswerKey() {
    return "AWS/Rekognition/DetectModerationLabels/Image/V3";
  }

  get _rawCategories() {
    const raw = parseLiteral(this.getAttribute("categories"), []);
    return (Array.isArray(raw) ? raw : []).filter((item) => item !== null && item !== undefined);
  }

  get categories() {
    return this._rawCategories.map((item) =>
      typeof item === "object"
        ? { label: String(item.name ?? item.label ?? ""), description: item.parentName ? String(item.parentName) : "" }
        : { label: String(item), description: "" },
    );
  }

  set categories(value) {
    this.setAttribute("categories", JSON.stringify(value));
  }

  get exclusionCategory() {
    // The "None" choice is always offered: the A2I template's instructions refer to it.
    const raw = parseLiteral(this.getAttribute("exclusion-category"));
    const label = raw && typeof raw === "object" ? raw.text ?? raw.label ?? raw.name : raw;
    return { label: label ? String(label) : "None", description: "", exclusion: true };
  }

  crowdValue() {
    if (!this._selected.size) return undefined;
    const raw = this._rawCategories;
    const labels = this.categories.map((category) => category.label);
    const chosen = raw.filter((_, index) => this._selected.has(labels[index]));
    return {
      moderationLabels: chosen.map((item) => (typeof item === "object" ? item : { name: String(item) })),
    };
  }
}

const TEXTRACT_CSS = `
  ${BASE_CSS}
  ${WIDGET_CSS}
  .review { display: grid; grid-template-columns: minmax(0, 1.3fr) minmax(260px, 1fr); gap: 16px; }
  .document { position: relative; align-self: start; border: 1px solid var(--crowd-line); border-radius: 8px;
    overflow: hidden; background: #f2f4f7; line-height: 0; }
  .document img { width: 100%; display: block; }
  .document svg { position: absolute; inset: 0; width: 100%; height: 100%; touch-action: none; }
  .document.editable rect.key, .document.editable rect.value { cursor: move; }
  .document rect.handle { fill: #fff; stroke: #2f6fed; stroke-width: 1.5; }
  .document rect.handle[data-corner="nw"], .document rect.handle[data-corner="se"] { cursor: nwse-resize; }
  .document rect.handle[data-corner="ne"], .document rect.handle[data-corner="sw"] { cursor: nesw-resize; }
  .document rect { fill: rgba(47,111,237,.08); stroke: rgba(47,111,237,.55); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  .document rect.value { fill: rgba(232,89,12,.08); stroke: rgba(232,89,12,.55); }
  .document rect.active { fill: rgba(47,111,237,.25); stroke: #2f6fed; stroke-width: 3; }
  .document rect.value.active { fill: rgba(232,89,12,.25); stroke: #e8590c; }
  .pairs { display: grid; gap: 8px; align-content: start; max-height: 640px; overflow: auto; }
  .pair { border: 1px solid var(--crowd-line); border-radius: 8px; padding: 10px 12px; background: #fff; }
  .pair.active { border-color: var(--crowd-accent); box-shadow: 0 0 0 1px var(--crowd-accent) inset; }
  .pair.important .key::after { content: "important"; margin-left: 8px; font: 600 10px system-ui; color: #fff;
    background: var(--crowd-accent); border-radius: 999px; padding: 1px 7px; vertical-align: 2px; }
  .pair.rejected { opacity: .55; }
  .key { font-weight: 650; font-size: 14px; }
  .key input, .value input { width: 100%; font: inherit; padding: 6px 8px; border: 1px solid #d0d5dd; border-radius: 6px; }
  .value { margin-top: 6px; }
  .choices { display: flex; gap: 12px; margin-top: 8px; font-size: 13px; color: var(--crowd-muted); flex-wrap: wrap; }
  .missing { font-size: 13px; padding: 8px 12px; border: 1px dashed #d0d5dd; border-radius: 8px; color: var(--crowd-muted); }
`;

function field(block, name) {
  if (!block) return undefined;
  return block[name] ?? block[name.charAt(0).toUpperCase() + name.slice(1)];
}

const HANDLE_PX = 9; // corner handles, in screen pixels
const MIN_SIZE = 0.005; // of the page: a box never collapses to nothing
const CORNERS = { nw: [0, 0], ne: [1, 0], sw: [0, 1], se: [1, 1] };

/** A block's box as {left, top, width, height} page ratios, or null. */
function blockBox(block) {
  const box = field(field(block, "geometry") || {}, "boundingBox");
  if (!box) return null;
  const [left, top, width, height] = ["left", "top", "width", "height"].map((key) => Number(field(box, key)));
  return [left, top, width, height].every(Number.isFinite) ? { left, top, width, height } : null;
}

const ratio = (value) => Math.round(value * 1e6) / 1e6;

export class CrowdTextractAnalyzeDocument extends HTMLElement {
  static get observedAttributes() {
    return ["src", "initial-value", "keys", "header"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open", slotAssignment: "manual" });
    this.shadowRoot.innerHTML = `<style>${TEXTRACT_CSS}</style>
      <div class="layout"><section class="main" part="main">
        <h2 class="header"></h2>
        <div class="review">
          <div class="document"><img alt="The document"><svg preserveAspectRatio="none" viewBox="0 0 1 1"></svg></div>
          <div class="pairs" aria-label="Key-value pairs"></div>
        </div>
        <div class="error" role="alert"></div>
      </section>${instructionsMarkup()}</div>`;
    this._pairs = [];
    this.shadowRoot.querySelector(".pairs").addEventListener("focusin", (event) => {
      const pair = event.target.closest(".pair");
      if (pair) this._highlight(Number(pair.dataset.index));
    });
    this.shadowRoot.querySelector(".pairs").addEventListener("input", (event) => this._read(event.target));
    this.shadowRoot.querySelector(".pairs").addEventListener("change", (event) => this._read(event.target));
    const svg = this.shadowRoot.querySelector("svg");
    svg.addEventListener("pointerdown", (event) => this._dragStart(event));
    svg.addEventListener("pointermove", (event) => this._dragMove(event));
    svg.addEventListener("pointerup", () => (this._drag = null));
    svg.addEventListener("pointercancel", () => (this._drag = null));
    // Handles are sized in screen pixels: a resized page resizes them.
    new ResizeObserver(() => this._renderHandles()).observe(svg);
  }

  get geometryEditable() {
    return !booleanAttribute(this, "no-geometry-edit");
  }

  get crowdAnswerKey() {
    return "AWS/Textract/AnalyzeDocument/Forms/V1";
  }

  connectedCallback() {
    wireInstructions(this);
    this._load();
  }

  attributeChangedCallback() {
    if (this.isConnected) this._load();
  }

  _load() {
    const root = this.shadowRoot;
    root.querySelector(".header").textContent = this.getAttribute("header") || "";
    root.querySelector("img").src = this.getAttribute("src") || "";
    const blocks = parseLiteral(this.getAttribute("initial-value"), []);
    const list = Array.isArray(blocks) ? blocks : [];
    const byId = new Map(list.map((block) => [field(block, "id"), block]));
    const words = (block) =>
      (field(block, "relationships") || [])
        .filter((relation) => field(relation, "type") === "CHILD")
        .flatMap((relation) => field(relation, "ids") || [])
        .map((id) => field(byId.get(id), "text") || "")
        .join(" ")
        .trim();
    this._pairs = [];
    for (const block of list) {
      const types = field(block, "entityTypes") || [];
      if (field(block, "blockType") !== "KEY_VALUE_SET" || !types.includes("KEY")) continue;
      const valueId = (field(block, "relationships") || [])
        .filter((relation) => field(relation, "type") === "VALUE")
        .flatMap((relation) => field(relation, "ids") || [])[0];
      const value = byId.get(valueId);
      this._pairs.push({
        key: block,
        value,
        keyText: field(block, "text") ?? words(block),
        valueText: value ? field(value, "text") ?? words(value) : "",
        valid: true,
        // The boxes as the worker leaves them; `moved` marks the ones they changed.
        boxes: { key: blockBox(block), value: value ? blockBox(value) : null },
        moved: { key: false, value: false },
      });
    }
    this._selected = null;
    root.querySelector(".document").classList.toggle("editable", this.geometryEditable);
    this._renderPairs();
    this._renderBoxes();
  }

  get importantKeys() {
    const raw = parseLiteral(this.getAttribute("keys"), []);
    return (Array.isArray(raw) ? raw : []).map((entry) => ({
      key: String(entry.importantFormKey ?? entry.key ?? entry),
      aliases: (entry.importantFormKeyAliases || []).map(String),
    }));
  }

  _isImportant(text) {
    const normalized = text.trim().toLowerCase();
    return this.importantKeys.some(
      (entry) => entry.key.toLowerCase() === normalized || entry.aliases.some((alias) => alias.toLowerCase() === normalized),
    );
  }

  _renderPairs() {
    const keyEditable = !booleanAttribute(this, "no-key-edit");
    const found = new Set();
    const pairs = this._pairs
      .map((pair, index) => {
        const important = this._isImportant(pair.keyText);
        if (important) found.add(pair.keyText.trim().toLowerCase());
        const key = keyEditable
          ? `<input data-field="keyText" value="${escapeHtml(pair.keyText)}" aria-label="Key">`
          : escapeHtml(pair.keyText);
        return `<div class="pair${important ? " important" : ""}" data-index="${index}">
          <div class="key">${key}</div>
          <div class="value"><input data-field="valueText" value="${escapeHtml(pair.valueText)}" aria-label="Value of ${escapeHtml(pair.keyText)}"></div>
          <div class="choices"><label><input type="checkbox" data-field="invalid"> Not a key-value pair</label></div>
        </div>`;
      })
      .join("");
    const missing = this.importantKeys
      .filter((entry) => !found.has(entry.key.toLowerCase()) && !entry.aliases.some((alias) => found.has(alias.toLowerCase())))
      .map((entry) => `<div class="missing">Key not found in the document's pairs: <b>${escapeHtml(entry.key)}</b></div>`)
      .join("");
    this.shadowRoot.querySelector(".pairs").innerHTML = pairs + missing || '<div class="missing">No key-value pairs.</div>';
  }

  _renderBoxes() {
    const rect = (pair, kind, index) => {
      const box = pair.boxes[kind];
      if (!box) return "";
      return `<rect class="${kind}" data-index="${index}" data-kind="${kind}" x="${box.left}" y="${box.top}"
        width="${box.width}" height="${box.height}"/>`;
    };
    const svg = this.shadowRoot.querySelector("svg");
    svg.innerHTML =
      this._pairs.map((pair, index) => rect(pair, "key", index) + rect(pair, "value", index)).join("") +
      (this.geometryEditable
        ? Object.keys(CORNERS).map((corner) => `<rect class="handle" data-corner="${corner}" display="none"/>`).join("")
        : "");
    if (this._active !== undefined) this._highlight(this._active);
    this._renderHandles();
  }

  /** The selected box's corner handles: squares of HANDLE_PX on screen, whatever the page's
   * aspect ratio (the SVG's unit square is stretched over the page). */
  _renderHandles() {
    const svg = this.shadowRoot.querySelector("svg");
    const box = this._selected && this._pairs[this._selected.index]?.boxes[this._selected.kind];
    const size = svg.getBoundingClientRect();
    const [w, h] = [HANDLE_PX / (size.width || 1), HANDLE_PX / (size.height || 1)];
    for (const handle of svg.querySelectorAll("rect.handle")) {
      handle.setAttribute("display", box ? "inline" : "none");
      if (!box) continue;
      const [fx, fy] = CORNERS[handle.dataset.corner];
      handle.setAttribute("x", box.left + fx * box.width - w / 2);
      handle.setAttribute("y", box.top + fy * box.height - h / 2);
      handle.setAttribute("width", w);
      handle.setAttribute("height", h);
    }
  }

  _highlight(index) {
    this._active = index;
    for (const element of this.shadowRoot.querySelectorAll(".active")) element.classList.remove("active");
    for (const element of this.shadowRoot.querySelectorAll(`[data-index="${index}"]`)) element.classList.add("active");
  }

  // Geometry: drag a box to move it, a corner handle to resize it (page ratios, clamped to
  // the page).

  _pagePoint(event) {
    const size = this.shadowRoot.querySelector("svg").getBoundingClientRect();
    return { x: (event.clientX - size.left) / size.width, y: (event.clientY - size.top) / size.height };
  }

  _dragStart(event) {
    if (!this.geometryEditable || event.button !== 0) return;
    const target = event.target;
    if (target.dataset.kind) {
      this._selected = { index: Number(target.dataset.index), kind: target.dataset.kind };
      this._highlight(this._selected.index);
      this.shadowRoot.querySelector(`.pair[data-index="${this._selected.index}"]`)?.scrollIntoView({ block: "nearest" });
    } else if (!target.dataset.corner || !this._selected) {
      this._selected = null;
      this._renderHandles();
      return;
    }
    const box = this._pairs[this._selected.index].boxes[this._selected.kind];
    this._drag = { corner: target.dataset.corner, start: this._pagePoint(event), box: { ...box } };
    event.currentTarget.setPointerCapture(event.pointerId);
    event.preventDefault();
    this._renderHandles();
  }

  _dragMove(event) {
    if (!this._drag) return;
    const { corner, start, box } = this._drag;
    const point = this._pagePoint(event);
    const [dx, dy] = [point.x - start.x, point.y - start.y];
    const clamp = (value, low, high) => Math.min(high, Math.max(low, value));
    let next;
    if (!corner) {
      next = {
        left: clamp(box.left + dx, 0, 1 - box.width),
        top: clamp(box.top + dy, 0, 1 - box.height),
        width: box.width,
        height: box.height,
      };
    } else {
      // The opposite corner stays put; the dragged one follows the pointer.
      const [fx, fy] = CORNERS[corner];
      const x0 = fx ? box.left : box.left + box.width;
      const y0 = fy ? box.top : box.top + box.height;
      const x1 = clamp((fx ? box.left + box.width : box.left) + dx, 0, 1);
      const y1 = clamp((fy ? box.top + box.height : box.top) + dy, 0, 1);
      const width = Math.max(MIN_SIZE, Math.abs(x1 - x0));
      const height = Math.max(MIN_SIZE, Math.abs(y1 - y0));
      next = {
        left: clamp(x1 < x0 ? x0 - width : x0, 0, 1 - width),
        top: clamp(y1 < y0 ? y0 - height : y0, 0, 1 - height),
        width,
        height,
      };
    }
    const { index, kind } = this._selected;
    this._pairs[index].boxes[kind] = next;
    this._pairs[index].moved[kind] = true;
    const rect = this.shadowRoot.querySelector(`rect[data-index="${index}"][data-kind="${kind}"]`);
    rect.setAttribute("x", next.left);
    rect.setAttribute("y", next.top);
    rect.setAttribute("width", next.width);
    rect.setAttribute("height", next.height);
    this._renderHandles();
  }

  /** The `geometry` a submitted block carries: as given unless the worker changed the box. */
  _geometry(pair, kind) {
    const box = pair.boxes[kind];
    if (!box) return {};
    if (!pair.moved[kind]) return { geometry: field(pair[kind], "geometry") };
    const boundingBox = { width: ratio(box.width), height: ratio(box.height), left: ratio(box.left), top: ratio(box.top) };
    const right = ratio(box.left + box.width);
    const bottom = ratio(box.top + box.height);
    const polygon = [
      { x: boundingBox.left, y: boundingBox.top },
      { x: right, y: boundingBox.top },
      { x: right, y: bottom },
      { x: boundingBox.left, y: bottom },
    ];
    return { geometry: { boundingBox, polygon } };
  }

  _read(input) {
    const pair = this._pairs[Number(input.closest(".pair")?.dataset.index)];
    if (!pair) return;
    if (input.dataset.field === "invalid") {
      pair.valid = !input.checked;
      input.closest(".pair").classList.toggle("rejected", input.checked);
    } else if (input.dataset.field) pair[input.dataset.field] = input.value;
  }

  crowdValue() {
    const blocks = [];
    const geometry = (pair, kind) => (this.geometryEditable ? this._geometry(pair, kind) : {});
    for (const pair of this._pairs) {
      if (!pair.valid) continue;
      const valueId = pair.value ? field(pair.value, "id") : undefined;
      blocks.push({
        blockType: "KEY_VALUE_SET",
        id: field(pair.key, "id"),
        relationships: valueId ? [{ type: "VALUE", ids: [valueId] }] : [],
        entityTypes: ["KEY"],
        text: pair.keyText,
        ...geometry(pair, "key"),
      });
      if (pair.value) {
        blocks.push({
          blockType: "KEY_VALUE_SET",
          id: valueId,
          relationships: [],
          entityTypes: ["VALUE"],
          text: pair.valueText,
          ...geometry(pair, "value"),
        });
      }
    }
    return { blocks };
  }

  crowdValidate() {
    return "";
  }
}
