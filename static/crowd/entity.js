// <crowd-entity-annotation>: select text with the mouse, choose a label, remove with ×.
// Submits {"entities": [{"startOffset", "endOffset", "label"}]} with offsets in Unicode
// code points and endOffset the first character after the span (Ground Truth's shape).
import {
  BASE_CSS,
  PALETTE,
  WIDGET_CSS,
  activateShortcuts,
  composedClosest,
  escapeHtml,
  instructionsMarkup,
  parseLiteral,
  registerShortcuts,
  unregisterShortcuts,
  upgradeProperties,
  wireInstructions,
} from "./lib.js";

const CSS = `
  ${BASE_CSS}
  ${WIDGET_CSS}
  .labels { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 12px; }
  .label { display: inline-flex; align-items: center; gap: 8px; padding: 6px 10px; border-radius: 999px;
    border: 1px solid #d0d5dd; background: #fff; color: inherit; font-weight: 600; font-size: 14px; }
  .label .chip { width: 10px; height: 10px; border-radius: 50%; background: var(--c); }
  .label:hover { border-color: var(--c); }
  .label[aria-pressed="true"] { background: color-mix(in srgb, var(--c) 14%, white); border-color: var(--c);
    box-shadow: 0 0 0 1px var(--c) inset; }
  .waiting .label { animation: pulse 1.2s ease-in-out infinite; }
  @keyframes pulse { 50% { box-shadow: 0 0 0 3px color-mix(in srgb, var(--c) 25%, white); } }
  .hint { font-size: 13px; color: var(--crowd-muted); margin: 0 0 10px; min-height: 20px; }
  .hint b { color: #1d2330; }
  .text { font-size: 17px; line-height: 2.3; padding: 14px 18px; background: #fafbfc; white-space: pre-wrap;
    border: 1px solid var(--crowd-line); border-radius: var(--crowd-radius); overflow-wrap: anywhere; cursor: text; }
  .text::selection, .text *::selection { background: #cfe0ff; }
  mark { background: color-mix(in srgb, var(--c) 16%, white); color: inherit; border-bottom: 2px solid var(--c);
    border-radius: 3px; padding: 2px 0; cursor: pointer; }
  .keep { white-space: nowrap; }
  mark.pending { background: #fff7d6; border-bottom: 2px dashed #d4a100; }
  mark.focused { outline: 2px solid var(--c); outline-offset: 1px; }
  .tag { user-select: none; -webkit-user-select: none; display: inline-flex; align-items: center; gap: 2px;
    margin-left: 3px; padding: 0 2px 0 6px; border-radius: 4px; background: var(--c); color: #fff;
    font: 700 10px/16px system-ui, sans-serif; letter-spacing: .03em; vertical-align: 2px; white-space: nowrap; }
  .tag button { border: 0; background: none; color: #fff; font-size: 13px; line-height: 14px; padding: 0 3px; opacity: .85; }
  .tag button:hover { opacity: 1; }
  .entities { list-style: none; padding: 0; margin: 14px 0 0; display: grid; gap: 6px; }
  .entities:empty { display: none; }
  .entities li { display: flex; align-items: center; gap: 10px; font-size: 14px; padding: 6px 10px;
    border: 1px solid var(--crowd-line); border-radius: 8px; background: #fff; }
  .entities .badge { color: #fff; background: var(--c); border-radius: 999px; padding: 0 8px; font-size: 12px; font-weight: 700; }
  .entities .span-text { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .entities .remove { border: 0; background: none; color: var(--crowd-muted); font-size: 18px; line-height: 1; }
  .entities .remove:hover { color: var(--crowd-danger); }
  .extra { margin-top: 16px; }
  .crowd-form__actions { display: flex; justify-content: flex-end; align-items: center; gap: 12px; margin-top: 18px; }
  .crowd-form__status[data-kind="error"] { color: var(--crowd-danger); }
  .crowd-form__status[data-kind="success"] { color: #067647; }
  .crowd-form__hint { font-weight: 400; opacity: .75; font-size: 12px; }
`;

const codePoints = (text) => Array.from(text);

export class CrowdEntityAnnotation extends HTMLElement {
  static get observedAttributes() {
    return ["text", "labels", "header", "initial-value"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open", slotAssignment: "manual" });
    this.shadowRoot.innerHTML = `
      <style>${CSS}</style>
      <div class="layout">
        <section class="main" part="main">
          <h2 class="header" part="header"></h2>
          <div class="labels" role="toolbar" aria-label="Labels" part="labels"></div>
          <p class="hint" aria-live="polite"></p>
          <div class="text" part="text"></div>
          <div class="error" role="alert"></div>
          <ul class="entities" aria-label="Marked entities" part="entities"></ul>
          <div class="extra"><slot name="extra"></slot></div>
        </section>
        ${instructionsMarkup()}
      </div>`;
    this._entities = [];
    this._pending = null; // {start, end} selected and waiting for a label
    this._focused = -1; // index of the entity clicked last
    this._activeLabel = null; // a label chosen before selecting: applies to each selection
    this._textBox = this.shadowRoot.querySelector(".text");
    this._labelsBox = this.shadowRoot.querySelector(".labels");
    // Synchronously: a label key pressed right after the drag must find the span taken.
    this._textBox.addEventListener("mouseup", () => this._takeSelection());
    this._textBox.addEventListener("click", (event) => this._onTextClick(event));
    this._labelsBox.addEventListener("click", (event) => {
      const button = event.target.closest("button.label");
      if (button) this.chooseLabel(Number(button.dataset.index));
    });
    this.shadowRoot.querySelector(".entities").addEventListener("click", (event) => {
      const button = event.target.closest("button.remove");
      if (button) this.removeEntity(Number(button.dataset.index));
    });
    this.addEventListener("pointerdown", () => activateShortcuts(this));
  }

  connectedCallback() {
    upgradeProperties(this, ["labels", "value"]);
    if (!this._initialised) {
      this._initialised = true;
      const initial = parseLiteral(this.getAttribute("initial-value"), []);
      if (Array.isArray(initial)) this._entities = this._cleanEntities(initial);
      if (!composedClosest(this.parentNode, "crowd-form")) {
        // Used without an outer <crowd-form> (5 Ground Truth samples): carry our own.
        this._ownForm = document.createElement("crowd-form");
        this.shadowRoot.querySelector(".main").append(this._ownForm);
      }
    }
    if (!this._observer) {
      this._observer = new MutationObserver(() => this._assignSlots());
      this._observer.observe(this, { childList: true });
    }
    this._assignSlots();
    this._render();
    registerShortcuts(this);
  }

  disconnectedCallback() {
    unregisterShortcuts(this);
  }

  attributeChangedCallback(name) {
    if (name === "labels") this._labels = undefined;
    if (this._initialised) this._render();
  }

  get text() {
    return this.getAttribute("text") || "";
  }

  get labels() {
    if (this._labels === undefined) this._labels = this._normalizeLabels(parseLiteral(this.getAttribute("labels"), []));
    return this._labels;
  }

  set labels(value) {
    this._labels = this._normalizeLabels(Array.isArray(value) ? value : parseLiteral(value, []));
    this._render();
  }

  _normalizeLabels(raw) {
    if (!Array.isArray(raw)) return [];
    return raw
      .map((item, index) => {
        const object = item && typeof item === "object" ? item : { label: item };
        if (object.label === undefined || object.label === null) return null;
        const label = String(object.label);
        return {
          label,
          short: String(object.shortDisplayName || label.slice(0, 3)).toUpperCase(),
          full: String(object.fullDisplayName || object.longDisplayName || label),
          color: PALETTE[index % PALETTE.length],
        };
      })
      .filter(Boolean);
  }

  _cleanEntities(list) {
    const length = codePoints(this.text).length;
    return list
      .filter((entity) => entity && Number.isInteger(entity.startOffset) && Number.isInteger(entity.endOffset))
      .filter((entity) => entity.startOffset >= 0 && entity.endOffset <= length && entity.startOffset < entity.endOffset)
      .map((entity) => ({ startOffset: entity.startOffset, endOffset: entity.endOffset, label: String(entity.label) }))
      .sort((a, b) => a.startOffset - b.startOffset);
  }

  _assignSlots() {
    const extra = [];
    for (const node of this.childNodes) {
      const tag = node.nodeType === Node.ELEMENT_NODE ? node.tagName : "";
      if (!tag || ["SHORT-INSTRUCTIONS", "FULL-INSTRUCTIONS", "SCRIPT", "STYLE", "TEMPLATE"].includes(tag)) continue;
      extra.push(node);
    }
    this.shadowRoot.querySelector("slot[name=extra]").assign(...extra);
    wireInstructions(this);
  }

  _labelInfo(label) {
    return (
      this.labels.find((item) => item.label === label) || {
        label,
        short: label.slice(0, 3).toUpperCase(),
        full: label,
        color: "#667085",
      }
    );
  }

  _render() {
    const header = this.shadowRoot.querySelector(".header");
    header.textContent = this.getAttribute("header") || "";
    header.hidden = !header.textContent;
    const chosen = this._focused >= 0 ? this._entities[this._focused]?.label : this._activeLabel;
    this._labelsBox.classList.toggle("waiting", !!this._pending);
    this._labelsBox.innerHTML = this.labels
      .map(
        (item, index) => `<button type="button" class="label" data-index="${index}" style="--c:${item.color}"
          aria-pressed="${item.label === chosen}" title="${escapeHtml(item.full)}" part="label">
          <span class="chip"></span>${escapeHtml(item.full)}${
            index < 9 ? ` <span class="kbd" aria-hidden="true">${index + 1}</span>` : ""
          }</button>`,
      )
      .join("");

    const chars = codePoints(this.text);
    const spans = this._entities.map((entity, index) => ({ ...entity, index }));
    if (this._pending) spans.push({ startOffset: this._pending.start, endOffset: this._pending.end, pending: true });
    spans.sort((a, b) => a.startOffset - b.startOffset);
    let html = "";
    let cursor = 0;
    const segment = (start, end) =>
      end > start ? `<span data-start="${start}">${escapeHtml(chars.slice(start, end).join(""))}</span>` : "";
    for (const span of spans) {
      if (span.startOffset < cursor) continue;
      html += segment(cursor, span.startOffset);
      if (span.pending) {
        html += `<mark class="pending">${segment(span.startOffset, span.endOffset)}</mark>`;
      } else {
        const info = this._labelInfo(span.label);
        // The last word and the tag never part at a line end: the tag names that span.
        let split = span.endOffset;
        while (split > span.startOffset && !/\s/u.test(chars[split - 1])) split -= 1;
        html += `<mark data-index="${span.index}" class="${span.index === this._focused ? "focused" : ""}"
          style="--c:${info.color}" title="${escapeHtml(info.full)}">${segment(span.startOffset, split)}<span
          class="keep">${segment(split, span.endOffset)}<span class="tag" contenteditable="false">${escapeHtml(
            info.short,
          )}<button type="button" class="remove" data-index="${span.index}"
          aria-label="Remove ${escapeHtml(info.full)}">×</button></span></span></mark>`;
      }
      cursor = span.endOffset;
    }
    html += segment(cursor, chars.length);
    this._textBox.innerHTML = html;

    this.shadowRoot.querySelector(".entities").innerHTML = this._entities
      .map((entity, index) => {
        const info = this._labelInfo(entity.label);
        return `<li style="--c:${info.color}"><span class="badge">${escapeHtml(info.full)}</span>
          <span class="span-text">${escapeHtml(chars.slice(entity.startOffset, entity.endOffset).join(""))}</span>
          <button type="button" class="remove" data-index="${index}" aria-label="Remove">×</button></li>`;
      })
      .join("");

    const hint = this.shadowRoot.querySelector(".hint");
    if (this._pending) {
      const words = chars.slice(this._pending.start, this._pending.end).join("");
      hint.innerHTML = `Choose a label for <b>“${escapeHtml(words.slice(0, 60))}”</b> (click or press its number).`;
    } else if (this._focused >= 0) {
      hint.textContent = "Press a number to change the label, Delete to remove it.";
    } else if (this._activeLabel) {
      hint.textContent = `Each selection becomes “${this._labelInfo(this._activeLabel).full}”. Click the label again to stop.`;
    } else {
      hint.textContent = "Select words with the mouse, then choose a label.";
    }
  }

  _selectionRange() {
    const root = this.shadowRoot;
    const selection = document.getSelection();
    if (selection && selection.getComposedRanges) {
      const ranges = selection.getComposedRanges({ shadowRoots: [root] });
      if (ranges.length && !ranges[0].collapsed) return ranges[0];
    }
    const inner = root.getSelection ? root.getSelection() : selection;
    if (inner && inner.rangeCount && !inner.isCollapsed) return inner.getRangeAt(0);
    return null;
  }

  /** Offset in code points of a boundary point inside the text box. */
  _pointOffset(node, offset) {
    const segments = Array.from(this._textBox.querySelectorAll("span[data-start]"));
    for (const span of segments) {
      const textNode = span.firstChild;
      if (!textNode) continue;
      const range = document.createRange();
      range.selectNodeContents(textNode);
      const where = range.comparePoint(node, offset);
      const start = Number(span.dataset.start);
      if (where < 0) return start;
      if (where === 0) {
        if (node === textNode) return start + codePoints(textNode.data.slice(0, offset)).length;
        return start + codePoints(textNode.data).length; // inside a tag after the text
      }
    }
    return codePoints(this.text).length;
  }

  _takeSelection() {
    const range = this._selectionRange();
    if (!range) return;
    if (!this._textBox.contains(range.startContainer) && range.startContainer !== this._textBox) return;
    let start = this._pointOffset(range.startContainer, range.startOffset);
    let end = this._pointOffset(range.endContainer, range.endOffset);
    const chars = codePoints(this.text);
    while (start < end && /\s/u.test(chars[start])) start += 1;
    while (end > start && /\s/u.test(chars[end - 1])) end -= 1;
    (document.getSelection() || {}).removeAllRanges?.();
    if (start >= end) return;
    const error = this.shadowRoot.querySelector(".error");
    error.textContent = "";
    const same = this._entities.findIndex((entity) => entity.startOffset === start && entity.endOffset === end);
    if (same >= 0) {
      this._focused = same;
      this._pending = null;
      this._render();
      return;
    }
    if (this._entities.some((entity) => entity.startOffset < end && start < entity.endOffset)) {
      error.textContent = "That overlaps a marked span. Select all of a marked span to relabel it, or remove it first.";
      return;
    }
    this._focused = -1;
    this._pending = { start, end };
    if (this._activeLabel) this._applyLabel(this._activeLabel);
    else this._render();
  }

  _onTextClick(event) {
    if (event.target.closest("button.remove")) {
      this.removeEntity(Number(event.target.closest("button.remove").dataset.index));
      return;
    }
    const mark = event.target.closest("mark[data-index]");
    const selection = this._selectionRange();
    if (mark && !selection) {
      this._focused = Number(mark.dataset.index);
      this._pending = null;
      this._render();
    }
  }

  _applyLabel(label) {
    if (!this._pending) return;
    this._entities.push({ startOffset: this._pending.start, endOffset: this._pending.end, label });
    this._entities.sort((a, b) => a.startOffset - b.startOffset);
    this._pending = null;
    this._focused = -1;
    this._render();
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /** A label button or digit: label the pending selection, relabel the focused span,
   * or (with neither) make the label sticky for the next selections. */
  chooseLabel(index) {
    const item = this.labels[index];
    if (!item) return;
    if (!this._pending && this._focused < 0) this._takeSelection(); // a selection not yet taken
    if (this._pending) this._applyLabel(item.label);
    else if (this._focused >= 0) {
      this._entities[this._focused].label = item.label;
      this._render();
      this.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      this._activeLabel = this._activeLabel === item.label ? null : item.label;
      this._render();
    }
  }

  removeEntity(index) {
    if (!this._entities[index]) return;
    this._entities.splice(index, 1);
    this._focused = -1;
    this._render();
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  handleShortcut(event) {
    if (/^[1-9]$/.test(event.key)) {
      this.chooseLabel(Number(event.key) - 1);
      return true;
    }
    if ((event.key === "Delete" || event.key === "Backspace") && this._focused >= 0) {
      this.removeEntity(this._focused);
      return true;
    }
    if (event.key === "Escape" && (this._pending || this._focused >= 0 || this._activeLabel)) {
      this._pending = null;
      this._focused = -1;
      this._activeLabel = null;
      this._render();
      return true;
    }
    return false;
  }

  get value() {
    return this.crowdValue();
  }

  set value(value) {
    this._entities = this._cleanEntities((value && value.entities) || []);
    this._render();
  }

  crowdValue() {
    return {
      entities: this._entities.map((entity) => ({
        startOffset: entity.startOffset,
        endOffset: entity.endOffset,
        label: entity.label,
      })),
    };
  }

  crowdReset() {
    this._entities = [];
    this._pending = null;
    this._focused = -1;
    this._render();
  }
}
