// Amazon A2I's review elements, as their built-in task types use them:
//   <crowd-rekognition-detect-moderation-labels>: the image and its moderation categories;
//     submits {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": [...]}}
//     with the chosen category objects whole ([] when "None" is chosen). The inner key is
//     spelled as A2I's output-data page writes it (the element page says ModerationLabels).
//   <crowd-textract-analyze-document>: a document image with Textract's key-value pairs
//     (`initial-value`: the Block list) to correct; submits
//     {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [KEY and VALUE blocks with text]}}.
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
  .document svg { position: absolute; inset: 0; width: 100%; height: 100%; }
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
      });
    }
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
    const rect = (block, kind, index) => {
      const box = field(field(field(block, "geometry") || {}, "boundingBox") || {}, "left") !== undefined
        ? field(field(block, "geometry"), "boundingBox")
        : null;
      if (!box) return "";
      const [left, top, width, height] = ["left", "top", "width", "height"].map((key) => Number(field(box, key)));
      return `<rect class="${kind}" data-index="${index}" x="${left}" y="${top}" width="${width}" height="${height}"/>`;
    };
    this.shadowRoot.querySelector("svg").innerHTML = this._pairs
      .map((pair, index) => rect(pair.key, "key", index) + (pair.value ? rect(pair.value, "value", index) : ""))
      .join("");
  }

  _highlight(index) {
    for (const element of this.shadowRoot.querySelectorAll(".active")) element.classList.remove("active");
    for (const element of this.shadowRoot.querySelectorAll(`[data-index="${index}"]`)) element.classList.add("active");
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
    for (const pair of this._pairs) {
      if (!pair.valid) continue;
      const valueId = pair.value ? field(pair.value, "id") : undefined;
      blocks.push({
        blockType: "KEY_VALUE_SET",
        id: field(pair.key, "id"),
        relationships: valueId ? [{ type: "VALUE", ids: [valueId] }] : [],
        entityTypes: ["KEY"],
        text: pair.keyText,
      });
      if (pair.value) {
        blocks.push({ blockType: "KEY_VALUE_SET", id: valueId, relationships: [], entityTypes: ["VALUE"], text: pair.valueText });
      }
    }
    return { blocks };
  }

  crowdValidate() {
    return "";
  }
}
