// <crowd-classifier> (one category) and <crowd-classifier-multi-select> (several).
// Submits {"label": "<category>"} and {"labels": ["<category>", ...]} respectively.
import {
  BASE_CSS,
  WIDGET_CSS,
  activateShortcuts,
  escapeHtml,
  instructionsMarkup,
  normalizeCategories,
  parseLiteral,
  registerShortcuts,
  unregisterShortcuts,
  upgradeProperties,
  wireInstructions,
} from "./lib.js";

const CSS = `
  ${BASE_CSS}
  ${WIDGET_CSS}
  .prompt { font-size: 13px; color: var(--crowd-muted); margin: 0 0 8px; }
  .choices { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 8px; }
  .choice { display: flex; align-items: center; gap: 10px; width: 100%; text-align: left; padding: 10px 12px;
    border: 1px solid #d0d5dd; border-radius: 8px; background: #fff; color: inherit; min-height: 46px;
    transition: border-color .12s, background .12s, box-shadow .12s; }
  .choice:hover { border-color: var(--crowd-accent); background: #f8faff; }
  .choice[aria-checked="true"] { border-color: var(--crowd-accent); background: var(--crowd-accent-soft);
    box-shadow: 0 0 0 1px var(--crowd-accent) inset; }
  .mark { flex: none; width: 18px; height: 18px; border: 2px solid #98a2b3; border-radius: 50%; position: relative; }
  .multi .mark { border-radius: 5px; }
  .choice[aria-checked="true"] .mark { border-color: var(--crowd-accent); background: var(--crowd-accent); }
  .choice[aria-checked="true"] .mark::after { content: ""; position: absolute; inset: 3px; border-radius: 50%; background: #fff; }
  .multi .choice[aria-checked="true"] .mark::after { inset: auto; left: 4px; top: 0px; width: 5px; height: 10px;
    border: solid #fff; border-width: 0 2px 2px 0; border-radius: 0; background: none; transform: rotate(45deg); }
  .text { flex: 1; min-width: 0; }
  .name { font-weight: 600; display: block; }
  .description { display: block; font-size: 13px; color: var(--crowd-muted); }
  .exclusion { border-style: dashed; }
  .extra:empty { display: none; }
`;

export class BaseClassifier extends HTMLElement {
  static multiple = false;

  static get observedAttributes() {
    return ["categories", "header", "exclusion-category"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open", slotAssignment: "manual" });
    this.shadowRoot.innerHTML = `
      <style>${CSS}</style>
      <div class="layout">
        <section class="main annotation-area${this.constructor.multiple ? " multi" : ""}" part="main">
          <h2 class="header" part="header"></h2>
          <div class="target" part="target"><slot name="target"></slot></div>
          <p class="prompt">${this.constructor.multiple ? "Choose all that apply" : "Choose one"} ·
            press a number key to pick</p>
          <div class="choices category-picker-wrapper" role="${this.constructor.multiple ? "group" : "radiogroup"}" part="choices"></div>
          <div class="error" role="alert"></div>
          <div class="extra"><slot name="extra"></slot></div>
        </section>
        ${instructionsMarkup()}
      </div>`;
    this._selected = new Set();
    this._choices = this.shadowRoot.querySelector(".choices");
    this._choices.addEventListener("click", (event) => {
      const button = event.target.closest("button.choice");
      if (button) this.toggle(Number(button.dataset.index));
    });
    this.addEventListener("pointerdown", () => activateShortcuts(this));
    this.addEventListener("focusin", () => activateShortcuts(this));
  }

  connectedCallback() {
    upgradeProperties(this, ["categories", "value"]);
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
    if (name === "categories") this._categories = undefined;
    if (this.shadowRoot) this._render();
  }

  get categories() {
    if (this._categories === undefined) {
      this._categories = normalizeCategories(parseLiteral(this.getAttribute("categories"), []));
    }
    return this._categories;
  }

  set categories(value) {
    this._categories = normalizeCategories(Array.isArray(value) ? value : parseLiteral(value, []));
    this._selected.clear();
    this._render();
  }

  get exclusionCategory() {
    const raw = parseLiteral(this.getAttribute("exclusion-category"));
    if (!raw) return null;
    const label = typeof raw === "object" ? raw.text ?? raw.label ?? raw.name : raw;
    return label === undefined ? null : { label: String(label), description: "", exclusion: true };
  }

  get allCategories() {
    const exclusion = this.exclusionCategory;
    return exclusion ? [...this.categories, exclusion] : this.categories;
  }

  _assignSlots() {
    const target = [];
    const extra = [];
    for (const node of this.childNodes) {
      const tag = node.nodeType === Node.ELEMENT_NODE ? node.tagName : "";
      if (tag === "CLASSIFICATION-TARGET") target.push(node);
      else if (tag === "SHORT-INSTRUCTIONS" || tag === "FULL-INSTRUCTIONS") continue;
      else if (tag && !["SCRIPT", "STYLE", "TEMPLATE"].includes(tag)) extra.push(node);
    }
    this.shadowRoot.querySelector("slot[name=target]").assign(...target);
    this.shadowRoot.querySelector("slot[name=extra]").assign(...extra);
    this.shadowRoot.querySelector(".target").hidden = target.length === 0;
    wireInstructions(this);
  }

  _render() {
    this.shadowRoot.querySelector(".header").textContent = this.getAttribute("header") || "";
    this.shadowRoot.querySelector(".header").hidden = !this.getAttribute("header");
    const categories = this.allCategories;
    this._choices.innerHTML = categories
      .map((category, index) => {
        const checked = this._selected.has(category.label);
        const key = index < 9 ? `<span class="kbd" aria-hidden="true">${index + 1}</span>` : "";
        return `<button type="button" class="choice${category.exclusion ? " exclusion" : ""}" data-enter-submits
            role="${this.constructor.multiple ? "checkbox" : "radio"}" aria-checked="${checked}"
            data-index="${index}" part="choice">
          <span class="mark" aria-hidden="true"></span>
          <span class="text"><span class="name">${escapeHtml(category.label)}</span>${
            category.description ? `<span class="description">${escapeHtml(category.description)}</span>` : ""
          }</span>${key}</button>`;
      })
      .join("");
  }

  /** Pick (or for multi-select, toggle) the category at `index` in display order. */
  toggle(index) {
    const categories = this.allCategories;
    const category = categories[index];
    if (!category) return;
    if (this.constructor.multiple) {
      if (this._selected.has(category.label)) this._selected.delete(category.label);
      else {
        // The exclusion category ("None of the above") excludes every other one.
        if (category.exclusion) this._selected.clear();
        else {
          const exclusion = this.exclusionCategory;
          if (exclusion) this._selected.delete(exclusion.label);
        }
        this._selected.add(category.label);
      }
    } else {
      this._selected = new Set([category.label]);
    }
    this.shadowRoot.querySelector(".error").textContent = "";
    this._render();
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  handleShortcut(event) {
    if (!/^[1-9]$/.test(event.key)) return false;
    this.toggle(Number(event.key) - 1);
    return true;
  }

  get value() {
    return this.crowdValue();
  }

  set value(value) {
    const labels = value && (value.labels || (value.label !== undefined ? [value.label] : []));
    this._selected = new Set((labels || []).map(String));
    this._render();
  }

  crowdValue() {
    const order = this.allCategories.map((category) => category.label);
    const labels = order.filter((label) => this._selected.has(label));
    if (this.constructor.multiple) return { labels };
    return labels.length ? { label: labels[0] } : undefined;
  }

  crowdValidate() {
    if (this._selected.size) return "";
    const message = this.constructor.multiple ? "Choose at least one category." : "Choose a category.";
    this.shadowRoot.querySelector(".error").textContent = message;
    return message;
  }

  crowdReset() {
    this._selected.clear();
    this._render();
  }

  focus() {
    const first = this._choices.querySelector("button");
    if (first) first.focus();
  }
}

export class CrowdClassifier extends BaseClassifier {
  static multiple = false;
}

export class CrowdClassifierMultiSelect extends BaseClassifier {
  static multiple = true;
}
