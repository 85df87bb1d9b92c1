// <crowd-form> and <crowd-button>.
//
// crowd-form wraps its children in a real <form> (exposed as `.form`, as Ground Truth
// does), collects every named crowd element and every named native field inside it into
// the JSON object Ground Truth submits, and hands that object to the page as a
// `crowd-form-submit` event (the bridge posts it to the parent window).
import { BASE_CSS, booleanAttribute, composedClosest, isTypingTarget, upgradeProperties } from "./lib.js";

const CHECKABLE_CROWD = new Set(["CROWD-CHECKBOX", "CROWD-RADIO-BUTTON", "CROWD-TOGGLE-BUTTON"]);

/** Merge one named value into the answer, the way Ground Truth's crowd-form does. */
function addValue(answer, element) {
  // A2I's review elements submit under their service's key, not under a `name`.
  const name = element.getAttribute("name") || element.crowdAnswerKey;
  if (!name) return;
  if (CHECKABLE_CROWD.has(element.tagName)) {
    const value = element.getAttribute("value") || "on";
    answer[name] = { ...(answer[name] && typeof answer[name] === "object" ? answer[name] : {}), [value]: !!element.checked };
    return;
  }
  if (typeof element.crowdValue !== "function") return;
  const value = element.crowdValue();
  if (value !== undefined) answer[name] = value;
}

function addNativeValue(answer, field) {
  const name = field.name;
  if (!name || field.disabled) return;
  const tag = field.tagName;
  if (tag === "INPUT") {
    const type = (field.type || "text").toLowerCase();
    if (["submit", "button", "reset", "image", "file"].includes(type)) return;
    if (type === "checkbox" || type === "radio") {
      const value = field.getAttribute("value") ?? "on";
      const previous = answer[name] && typeof answer[name] === "object" ? answer[name] : {};
      answer[name] = { ...previous, [value]: field.checked };
      return;
    }
    answer[name] = field.value;
  } else if (tag === "SELECT") {
    answer[name] = field.multiple
      ? Array.from(field.selectedOptions, (option) => option.value)
      : field.value;
  } else if (tag === "TEXTAREA") {
    answer[name] = field.value;
  }
}

export class CrowdForm extends HTMLElement {
  connectedCallback() {
    if (this._form) return;
    this._form = document.createElement("form");
    this._form.className = "crowd-form__form";
    this._form.noValidate = true; // we validate ourselves, crowd elements included
    this._form.setAttribute("part", "form");
    while (this.firstChild) this._form.appendChild(this.firstChild);
    this.appendChild(this._form);

    this._status = document.createElement("div");
    this._status.className = "crowd-form__status";
    this._status.setAttribute("role", "status");
    this._status.hidden = true;

    this._actions = document.createElement("div");
    this._actions.className = "crowd-form__actions";
    this._actions.append(this._status);
    if (!this._hasOwnSubmitButton()) {
      const button = document.createElement("crowd-button");
      button.setAttribute("form-action", "submit");
      button.setAttribute("variant", "primary");
      button.className = "crowd-form__submit";
      button.innerHTML = 'Submit <span class="crowd-form__hint">Enter ↵</span>';
      this._actions.append(button);
    }
    this.appendChild(this._actions);

    // Native submissions (Enter in a field, a <button>, a nested <form>) come here once.
    this._form.addEventListener(
      "submit",
      (event) => {
        event.preventDefault();
        event.stopPropagation();
        this.submit();
      },
      true,
    );
    this._form.addEventListener("reset", () => this._resetCrowdElements());
    const clearError = () => {
      if (this._status.dataset.kind === "error") this.showStatus("", "");
    };
    this.addEventListener("input", clearError);
    this.addEventListener("change", clearError);
    if (!CrowdForm._keysBound) {
      CrowdForm._keysBound = true;
      document.addEventListener("keydown", CrowdForm._onKeydown);
    }
  }

  /** The real <form> holding the template's content. */
  get form() {
    return this._form;
  }

  _hasOwnSubmitButton() {
    const root = this._form || this;
    return !!root.querySelector(
      'crowd-button[form-action="submit"], button:not([type]), button[type="submit"], input[type="submit"]',
    );
  }

  /** The JSON object Ground Truth would submit for this form, right now. */
  serialize() {
    const answer = {};
    const host = this.getRootNode().host;
    // A crowd-form inside a widget's shadow root (crowd-entity-annotation without an
    // outer form) submits that widget's value too.
    if (host && host.getAttribute && host.getAttribute("name") && typeof host.crowdValue === "function") {
      addValue(answer, host);
    }
    for (const element of this._form.querySelectorAll("*")) {
      if (element.tagName.startsWith("CROWD-")) {
        if (element.tagName === "CROWD-FORM") continue;
        addValue(answer, element);
      } else if (["INPUT", "SELECT", "TEXTAREA"].includes(element.tagName)) {
        addNativeValue(answer, element);
      }
    }
    return answer;
  }

  /** Problems that block submission: crowd elements first, then native constraints. */
  validate() {
    const problems = [];
    const candidates = [];
    const host = this.getRootNode().host;
    if (host && typeof host.crowdValidate === "function") candidates.push(host);
    candidates.push(...this._form.querySelectorAll("*"));
    for (const element of candidates) {
      if (typeof element.crowdValidate === "function") {
        const message = element.crowdValidate();
        if (message) problems.push({ element, message });
      } else if (["INPUT", "SELECT", "TEXTAREA"].includes(element.tagName) && !element.disabled) {
        if (!element.checkValidity()) problems.push({ element, message: element.validationMessage });
      }
    }
    return problems;
  }

  /**
   * Submit like Ground Truth: a cancelable `submit` event on this element first (template
   * `onsubmit` handlers fill hidden fields or call preventDefault), then validation.
   */
  submit() {
    if (this._submitting) return false;
    const event = new Event("submit", { bubbles: true, cancelable: true });
    if (!this.dispatchEvent(event)) return false;
    const problems = this.validate();
    if (problems.length) {
      const first = problems[0];
      this.showStatus(first.message || "Please complete the form.", "error");
      if (typeof first.element.focus === "function") first.element.focus();
      if (first.element.reportValidity && !first.element.crowdValidate) first.element.reportValidity();
      return false;
    }
    const answer = this.serialize();
    this._submitting = true;
    this.showStatus("Submitting…", "pending");
    this.dispatchEvent(
      new CustomEvent("crowd-form-submit", { bubbles: true, composed: true, detail: { answer } }),
    );
    return true;
  }

  /** Called by the bridge with the parent's verdict; a refusal (or a preview, which
   * sets `resubmit`) allows another submission. */
  submitted(ok, message, resubmit = false) {
    this._submitting = !!ok && !resubmit;
    this.showStatus(message || (ok ? "Submitted." : "Could not submit."), ok ? "success" : "error");
  }

  showStatus(message, kind) {
    this._status.hidden = !message;
    this._status.textContent = message || "";
    this._status.dataset.kind = kind || "";
  }

  reset() {
    this._form.reset();
  }

  _resetCrowdElements() {
    for (const element of this._form.querySelectorAll("*")) {
      if (typeof element.crowdReset === "function") element.crowdReset();
    }
  }

  static _onKeydown(event) {
    if (event.key !== "Enter" || event.defaultPrevented) return;
    if (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const origin = event.composedPath()[0];
    if (origin && origin.nodeType === Node.ELEMENT_NODE) {
      const tag = origin.tagName;
      if (tag === "TEXTAREA" || tag === "A" || tag === "SELECT") return;
      if (tag === "BUTTON" && !origin.hasAttribute("data-enter-submits")) return;
      if (origin.isContentEditable) return;
      if (tag === "INPUT" && ["button", "submit", "reset", "image", "file"].includes(origin.type)) return;
      if (composedClosest(origin, "dialog")) return;
    }
    const form =
      (origin && origin.nodeType === Node.ELEMENT_NODE && composedClosest(origin, "crowd-form")) ||
      document.querySelector("crowd-form") ||
      CrowdForm.firstShadowForm();
    if (!form) return;
    if (isTypingTarget(event) && origin.tagName !== "INPUT") return;
    event.preventDefault(); // no native implicit submission: this is the one path
    form.submit();
  }

  static firstShadowForm() {
    for (const host of document.querySelectorAll("crowd-entity-annotation")) {
      const form = host.shadowRoot && host.shadowRoot.querySelector("crowd-form");
      if (form) return form;
    }
    return null;
  }
}

const BUTTON_CSS = `
  ${BASE_CSS}
  :host { display: inline-block; }
  button { display: inline-flex; align-items: center; gap: 8px; padding: 9px 18px; border-radius: 8px;
    font-weight: 600; font-size: 15px; border: 1px solid #d0d5dd; background: #fff; color: #1d2330;
    transition: background .12s, border-color .12s, box-shadow .12s; }
  button:hover { background: #f5f7fa; }
  :host([variant="primary"]) button { background: var(--crowd-accent); border-color: var(--crowd-accent); color: #fff;
    box-shadow: 0 1px 2px rgba(16,24,40,.08); }
  :host([variant="primary"]) button:hover { background: #2a62d4; }
  :host([variant="link"]) button { border: 0; background: none; color: var(--crowd-accent); padding: 0; }
  :host([variant="icon"]) button { padding: 6px; border-radius: 999px; }
  button:disabled { opacity: .5; cursor: not-allowed; }
  img.icon { width: 18px; height: 18px; }
`;

export class CrowdButton extends HTMLElement {
  static get observedAttributes() {
    return ["disabled", "loading"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.innerHTML = `<style>${BUTTON_CSS}</style><button part="button" type="button"><slot></slot></button>`;
    this._button = this.shadowRoot.querySelector("button");
    this._button.addEventListener("click", (event) => this._activate(event));
  }

  connectedCallback() {
    upgradeProperties(this, ["disabled"]);
    if (!this.hasAttribute("variant") && this.getAttribute("form-action") === "submit") {
      this.setAttribute("variant", "primary");
    }
    const iconUrl = this.getAttribute("icon-url");
    if (iconUrl && !this.shadowRoot.querySelector("img.icon")) {
      const icon = document.createElement("img");
      icon.className = "icon";
      icon.alt = "";
      icon.src = iconUrl;
      if (this.getAttribute("icon-align") === "right") this._button.append(icon);
      else this._button.prepend(icon);
    }
    this._sync();
  }

  attributeChangedCallback() {
    this._sync();
  }

  get disabled() {
    return booleanAttribute(this, "disabled");
  }

  set disabled(value) {
    if (value) this.setAttribute("disabled", "");
    else this.removeAttribute("disabled");
  }

  _sync() {
    this._button.disabled = this.disabled || booleanAttribute(this, "loading");
  }

  click() {
    this._button.click();
  }

  _activate(event) {
    if (this.disabled) {
      event.stopPropagation();
      return;
    }
    const action = this.getAttribute("form-action");
    const href = this.getAttribute("href");
    if (action === "submit" || action === "reset") {
      const form = composedClosest(this, "crowd-form");
      if (form) {
        if (action === "submit") form.submit();
        else form.reset();
      }
    } else if (href) {
      window.open(href, this.getAttribute("target") || "_self");
    }
  }
}
