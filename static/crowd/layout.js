// Layout and feedback elements (no value): <crowd-card>, <crowd-alert>, <crowd-badge>,
// <crowd-instructions>, <crowd-tabs>/<crowd-tab>, and the regions <short-instructions>,
// <full-instructions>, <classification-target> when they stand on their own.
import { BASE_CSS, booleanAttribute, escapeHtml } from "./lib.js";

const WIDGETS = new Set([
  "CROWD-CLASSIFIER",
  "CROWD-CLASSIFIER-MULTI-SELECT",
  "CROWD-ENTITY-ANNOTATION",
  "CROWD-IMAGE-CLASSIFIER",
  "CROWD-IMAGE-CLASSIFIER-MULTI-SELECT",
  "CROWD-BOUNDING-BOX",
  "CROWD-KEYPOINT",
  "CROWD-POLYGON",
  "CROWD-LINE",
  "CROWD-POLYLINE",
  "CROWD-SEMANTIC-SEGMENTATION",
  "CROWD-INSTANCE-SEGMENTATION",
  "CROWD-VIDEO-FRAMES",
  "CROWD-REKOGNITION-DETECT-MODERATION-LABELS",
  "CROWD-TEXTRACT-ANALYZE-DOCUMENT",
  "CROWD-TEXT-RANKING",
  "CROWD-QUESTION-ANSWER-GENERATION",
]);

const REGION_CSS = `
  ${BASE_CSS}
  :host { display: block; }
  :host([standalone]) { background: #fff; border: 1px solid var(--crowd-line); border-left: 3px solid var(--crowd-accent);
    border-radius: var(--crowd-radius); padding: 12px 16px; margin: 0 0 16px; font-size: 14px; }
  h3 { margin: 0 0 6px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--crowd-muted); }
  .link { background: none; border: 0; padding: 0; color: var(--crowd-accent); font-weight: 600; }
  dialog { border: 0; border-radius: 12px; padding: 0; width: min(720px, 92vw); max-height: 86vh;
    box-shadow: 0 24px 48px rgba(16,24,40,.25); }
  dialog::backdrop { background: rgba(16,24,40,.45); }
  dialog header { display: flex; justify-content: space-between; align-items: center; padding: 16px 20px;
    border-bottom: 1px solid var(--crowd-line); font-weight: 650; font-size: 16px; }
  dialog .body { padding: 16px 20px; overflow: auto; max-height: calc(86vh - 60px); }
  .close { background: none; border: 0; font-size: 22px; line-height: 1; color: var(--crowd-muted); }
`;

/** <short-instructions>: inside a widget it is slotted there; alone it is a card. */
export class ShortInstructions extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.innerHTML = `<style>${REGION_CSS}</style><h3 hidden>Instructions</h3><slot></slot>`;
  }

  connectedCallback() {
    const standalone = !(this.parentElement && WIDGETS.has(this.parentElement.tagName));
    this.toggleAttribute("standalone", standalone);
    const heading = this.shadowRoot.querySelector("h3");
    heading.hidden = !standalone;
    heading.textContent = this.getAttribute("header") || "Instructions";
    if (standalone && !this.textContent.trim() && !this.querySelector("img")) this.hidden = true;
  }
}

/** <full-instructions>: inside a widget it is slotted in its dialog; alone it is a link
 * that opens a dialog. */
export class FullInstructions extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    const standalone = !(this.parentElement && WIDGETS.has(this.parentElement.tagName));
    if (!standalone) {
      this.shadowRoot.innerHTML = "<slot></slot>";
      return;
    }
    const title = escapeHtml(this.getAttribute("header") || "Instructions");
    this.shadowRoot.innerHTML = `<style>${REGION_CSS} :host { margin: 0 0 16px; }</style>
      <button type="button" class="link">View full instructions</button>
      <dialog><header><span>${title}</span><button type="button" class="close" aria-label="Close">×</button></header>
      <div class="body"><slot></slot></div></dialog>`;
    const dialog = this.shadowRoot.querySelector("dialog");
    this.shadowRoot.querySelector(".link").onclick = () => dialog.showModal();
    this.shadowRoot.querySelector(".close").onclick = () => dialog.close();
  }
}

export class ClassificationTarget extends HTMLElement {
  connectedCallback() {
    if (!this.style.display) this.style.display = "block";
  }
}

export class CrowdCard extends HTMLElement {
  static get observedAttributes() {
    return ["heading", "image"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.innerHTML = `<style>${BASE_CSS}
      :host { display: block; background: #fff; border: 1px solid var(--crowd-line); border-radius: 10px;
        box-shadow: 0 1px 3px rgba(16,24,40,.06); margin: 0 0 16px; overflow: hidden; box-sizing: border-box; }
      img { display: block; width: 100%; max-height: 320px; object-fit: cover; }
      h3 { margin: 0; padding: 14px 18px 0; font-size: 16px; }
      .content { padding: 14px 18px; }
      </style><img part="image" hidden alt=""><h3 part="heading" hidden></h3><div class="content"><slot></slot></div>`;
  }

  connectedCallback() {
    this.attributeChangedCallback();
  }

  attributeChangedCallback() {
    const image = this.shadowRoot.querySelector("img");
    image.hidden = !this.getAttribute("image");
    if (this.getAttribute("image")) image.src = this.getAttribute("image");
    const heading = this.shadowRoot.querySelector("h3");
    heading.textContent = this.getAttribute("heading") || "";
    heading.hidden = !this.getAttribute("heading");
  }
}

const ALERT_COLORS = {
  info: ["#eef3ff", "#2f6fed", "ℹ"],
  success: ["#ecfdf3", "#067647", "✓"],
  warning: ["#fffaeb", "#b54708", "!"],
  error: ["#fef3f2", "#c4320a", "✕"],
};

export class CrowdAlert extends HTMLElement {
  static get observedAttributes() {
    return ["type", "dismissible"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.setAttribute("role", "alert");
  }

  connectedCallback() {
    this._render();
  }

  attributeChangedCallback() {
    this._render();
  }

  _render() {
    const [background, color, icon] = ALERT_COLORS[this.getAttribute("type")] || ALERT_COLORS.info;
    this.shadowRoot.innerHTML = `<style>${BASE_CSS}
      :host { display: flex; gap: 10px; align-items: flex-start; padding: 10px 14px; margin: 0 0 14px;
        border-radius: 8px; background: ${background}; border: 1px solid color-mix(in srgb, ${color} 30%, white); }
      .icon { flex: none; width: 20px; height: 20px; border-radius: 50%; background: ${color}; color: #fff;
        display: inline-flex; align-items: center; justify-content: center; font-size: 12px; font-weight: 700; margin-top: 1px; }
      .content { flex: 1; }
      .dismiss { border: 0; background: none; font-size: 18px; line-height: 1; color: ${color}; }
      </style><span class="icon" aria-hidden="true">${icon}</span><div class="content"><slot></slot></div>${
        booleanAttribute(this, "dismissible") ? '<button type="button" class="dismiss" aria-label="Dismiss">×</button>' : ""
      }`;
    const dismiss = this.shadowRoot.querySelector(".dismiss");
    if (dismiss) dismiss.onclick = () => this.remove();
  }
}

/** <crowd-badge for="id" label="New">: a small label pinned to another element's corner. */
export class CrowdBadge extends HTMLElement {
  static get observedAttributes() {
    return ["label", "icon", "for"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    this._render();
    requestAnimationFrame(() => this._place());
    this._onResize = () => this._place();
    window.addEventListener("resize", this._onResize);
  }

  disconnectedCallback() {
    window.removeEventListener("resize", this._onResize);
  }

  attributeChangedCallback() {
    if (this.isConnected) {
      this._render();
      this._place();
    }
  }

  _render() {
    const icon = this.getAttribute("icon");
    const content = icon && /^(https?:|data:|\/)/.test(icon)
      ? `<img src="${escapeHtml(icon)}" alt="">`
      : escapeHtml((this.getAttribute("label") || "").slice(0, 3));
    this.shadowRoot.innerHTML = `<style>
      :host { position: absolute; z-index: 2; display: inline-flex; align-items: center; justify-content: center;
        min-width: 22px; height: 22px; padding: 0 6px; border-radius: 999px; background: #c4320a; color: #fff;
        font: 700 11px/1 system-ui, sans-serif; box-shadow: 0 0 0 2px #fff; pointer-events: none; }
      img { width: 14px; height: 14px; } </style>${content}`;
  }

  _place() {
    const target = this.getAttribute("for") && document.getElementById(this.getAttribute("for"));
    if (!target) {
      this.style.position = "static";
      return;
    }
    const box = target.getBoundingClientRect();
    this.style.left = `${box.right + window.scrollX - 11}px`;
    this.style.top = `${box.top + window.scrollY - 11}px`;
  }
}

const DIALOG_CSS = `${REGION_CSS}
  :host { display: block; margin: 0 0 14px; }
  .tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--crowd-line); padding: 0 20px; }
  .tabs button { border: 0; background: none; padding: 10px 12px; font-weight: 600; color: var(--crowd-muted);
    border-bottom: 2px solid transparent; }
  .tabs button[aria-selected="true"] { color: var(--crowd-accent); border-bottom-color: var(--crowd-accent); }
  .opener.button { display: inline-block; padding: 8px 16px; border-radius: 8px; border: 1px solid #d0d5dd;
    background: #fff; color: inherit; font-weight: 600; }
  .examples h4 { margin: 0 0 6px; font-size: 14px; }
  .good { border-left: 3px solid #067647; padding-left: 12px; margin-bottom: 16px; }
  .bad { border-left: 3px solid #c4320a; padding-left: 12px; }
`;

/** <crowd-instructions>: a link or button opening Summary / Detailed / Examples tabs. */
export class CrowdInstructions extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open", slotAssignment: "manual" });
  }

  connectedCallback() {
    const linkText = escapeHtml(this.getAttribute("link-text") || "Click for instructions");
    const asButton = this.getAttribute("link-type") === "button";
    this.shadowRoot.innerHTML = `<style>${DIALOG_CSS}</style>
      <button type="button" class="opener ${asButton ? "button" : "link"}">${linkText}</button>
      <dialog><header><span>Instructions</span><button type="button" class="close" aria-label="Close">×</button></header>
      <nav class="tabs" role="tablist">
        <button type="button" role="tab" data-tab="summary" aria-selected="true">Summary</button>
        <button type="button" role="tab" data-tab="detailed" aria-selected="false">Detailed instructions</button>
        <button type="button" role="tab" data-tab="examples" aria-selected="false">Examples</button>
      </nav>
      <div class="body">
        <section data-panel="summary"><slot name="summary"></slot></section>
        <section data-panel="detailed" hidden><slot name="detailed"></slot></section>
        <section data-panel="examples" class="examples" hidden>
          <div class="good"><h4>Good examples</h4><slot name="positive"></slot></div>
          <div class="bad"><h4>Bad examples</h4><slot name="negative"></slot></div>
        </section>
      </div></dialog>`;
    const pick = (tag) => Array.from(this.children).filter((child) => child.tagName === tag);
    const root = this.shadowRoot;
    root.querySelector("slot[name=summary]").assign(...pick("SHORT-SUMMARY"));
    root.querySelector("slot[name=detailed]").assign(...pick("DETAILED-INSTRUCTIONS"));
    root.querySelector("slot[name=positive]").assign(...pick("POSITIVE-EXAMPLE"));
    root.querySelector("slot[name=negative]").assign(...pick("NEGATIVE-EXAMPLE"));
    const dialog = root.querySelector("dialog");
    root.querySelector(".opener").onclick = () => dialog.showModal();
    root.querySelector(".close").onclick = () => dialog.close();
    root.querySelector(".tabs").onclick = (event) => {
      const tab = event.target.closest("button[data-tab]");
      if (!tab) return;
      for (const button of root.querySelectorAll(".tabs button")) {
        button.setAttribute("aria-selected", String(button === tab));
      }
      for (const panel of root.querySelectorAll("[data-panel]")) panel.hidden = panel.dataset.panel !== tab.dataset.tab;
    };
  }
}

/** <crowd-tabs> holding <crowd-tab header="…"> children. */
export class CrowdTabs extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.innerHTML = `<style>${BASE_CSS}
      :host { display: block; margin: 0 0 16px; }
      nav { display: flex; gap: 4px; border-bottom: 1px solid var(--crowd-line); margin-bottom: 14px; }
      nav button { border: 0; background: none; padding: 10px 14px; font-weight: 600; color: var(--crowd-muted);
        border-bottom: 2px solid transparent; margin-bottom: -1px; }
      nav button[aria-selected="true"] { color: var(--crowd-accent); border-bottom-color: var(--crowd-accent); }
      </style><nav role="tablist"></nav><slot></slot>`;
    this.shadowRoot.querySelector("nav").addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (button) this.select(Number(button.dataset.index));
    });
  }

  connectedCallback() {
    requestAnimationFrame(() => this._render());
    this._render();
  }

  get tabs() {
    return Array.from(this.children).filter((child) => child.tagName === "CROWD-TAB");
  }

  _render() {
    const tabs = this.tabs;
    if (this._selected === undefined) this._selected = 0;
    this.shadowRoot.querySelector("nav").innerHTML = tabs
      .map(
        (tab, index) =>
          `<button type="button" role="tab" data-index="${index}" aria-selected="${index === this._selected}">${escapeHtml(
            tab.getAttribute("header") || `Tab ${index + 1}`,
          )}</button>`,
      )
      .join("");
    tabs.forEach((tab, index) => {
      tab.hidden = index !== this._selected;
    });
  }

  select(index) {
    this._selected = index;
    this._render();
  }
}

export class CrowdTab extends HTMLElement {
  connectedCallback() {
    this.setAttribute("role", "tabpanel");
  }
}
