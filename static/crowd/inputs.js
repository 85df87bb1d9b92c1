// Form controls: <crowd-input>, <crowd-text-area>, <crowd-checkbox>, <crowd-radio-group>,
// <crowd-radio-button>, <crowd-toggle-button>, <crowd-slider> (+ <crowd-slider-label>).
// Text controls submit a string, checkables {"<value>": bool}, the slider a number.
import { BASE_CSS, booleanAttribute, composedClosest, upgradeProperties } from "./lib.js";

const FIELD_CSS = `
  ${BASE_CSS}
  :host { display: block; margin: 0 0 14px; max-width: 560px; }
  label { display: block; font-weight: 600; font-size: 14px; margin-bottom: 5px; }
  input, textarea { width: 100%; font: inherit; padding: 9px 12px; border: 1px solid #d0d5dd; border-radius: 8px;
    background: #fff; color: inherit; transition: border-color .12s, box-shadow .12s; }
  input:focus, textarea:focus { outline: none; border-color: var(--crowd-accent); box-shadow: 0 0 0 3px #dbe6ff; }
  input:disabled, textarea:disabled { background: #f2f4f7; color: var(--crowd-muted); }
  :host([invalid]) input, :host([invalid]) textarea { border-color: var(--crowd-danger); }
  textarea { resize: vertical; min-height: 44px; line-height: 1.5; }
  .counter { font-size: 12px; color: var(--crowd-muted); text-align: right; margin-top: 3px; }
`;

class TextField extends HTMLElement {
  static tag = "input";

  static get observedAttributes() {
    return ["label", "placeholder", "disabled", "value", "type", "rows", "max-length", "required"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open", delegatesFocus: true });
    const control =
      this.constructor.tag === "textarea"
        ? `<textarea part="input" id="control"></textarea>`
        : `<input part="input" id="control">`;
    this.shadowRoot.innerHTML = `<style>${FIELD_CSS}</style>
      <label for="control" part="label"></label>${control}
      <div class="counter" hidden></div><div class="error" role="alert"></div>`;
    this._control = this.shadowRoot.getElementById("control");
    this._control.addEventListener("input", () => this._onInput());
    this._control.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })));
    this._control.value = this.getAttribute("value") || "";
  }

  connectedCallback() {
    upgradeProperties(this, ["value", "disabled", "required"]);
    if (!this._connectedOnce) {
      this._connectedOnce = true;
      if (this.hasAttribute("value")) this._control.value = this.getAttribute("value");
    }
    this._sync();
    if (booleanAttribute(this, "auto-focus")) setTimeout(() => this._control.focus(), 0);
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "value" && this._control && !this._dirty) this._control.value = value || "";
    this._sync();
  }

  _sync() {
    const control = this._control;
    const label = this.getAttribute("label") || "";
    const labelElement = this.shadowRoot.querySelector("label");
    labelElement.textContent = label;
    labelElement.hidden = !label;
    control.placeholder = this.getAttribute("placeholder") || "";
    control.disabled = booleanAttribute(this, "disabled");
    if (this.hasAttribute("max-length")) control.maxLength = Number(this.getAttribute("max-length"));
    if (this.constructor.tag === "textarea") {
      control.rows = Number(this.getAttribute("rows")) || 3;
      this._autosize();
    } else {
      control.type = this.getAttribute("type") || "text";
      if (label && !this.getAttribute("placeholder")) control.placeholder = "";
    }
    control.setAttribute("aria-label", label || this.getAttribute("name") || "");
    this._updateCounter();
  }

  _onInput() {
    this._dirty = true;
    const pattern = this.getAttribute("allowed-pattern");
    if (pattern) {
      try {
        const allowed = new RegExp(pattern, "u");
        const filtered = Array.from(this._control.value).filter((ch) => allowed.test(ch)).join("");
        if (filtered !== this._control.value) this._control.value = filtered;
      } catch {
        /* not a valid pattern: accept everything */
      }
    }
    this._autosize();
    this._updateCounter();
    if (this.hasAttribute("invalid") || booleanAttribute(this, "auto-validate")) this.crowdValidate();
  }

  _autosize() {
    if (this.constructor.tag !== "textarea") return;
    const maxRows = Number(this.getAttribute("max-rows")) || 0;
    const area = this._control;
    area.style.height = "auto";
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 22;
    let height = area.scrollHeight + 2;
    if (maxRows) height = Math.min(height, maxRows * lineHeight + 20);
    if (area.scrollHeight) area.style.height = `${height}px`;
  }

  _updateCounter() {
    const counter = this.shadowRoot.querySelector(".counter");
    const show = booleanAttribute(this, "char-counter");
    counter.hidden = !show;
    if (show) {
      const max = this.getAttribute("max-length");
      counter.textContent = max ? `${this._control.value.length} / ${max}` : `${this._control.value.length}`;
    }
  }

  get value() {
    return this._control.value;
  }

  set value(value) {
    this._control.value = value === null || value === undefined ? "" : String(value);
    this._autosize();
    this._updateCounter();
  }

  get disabled() {
    return booleanAttribute(this, "disabled");
  }

  set disabled(value) {
    this.toggleAttribute("disabled", !!value);
  }

  get required() {
    return booleanAttribute(this, "required");
  }

  set required(value) {
    this.toggleAttribute("required", !!value);
  }

  crowdValidate() {
    const value = this._control.value;
    let message = "";
    const min = Number(this.getAttribute("min-length")) || 0;
    if (this.required && !value.trim()) message = "This field is required.";
    else if (value && min && value.length < min) message = `Enter at least ${min} characters.`;
    else if (value && !this._control.checkValidity()) message = this._control.validationMessage;
    if (message && this.getAttribute("error-message")) message = this.getAttribute("error-message");
    this.toggleAttribute("invalid", !!message);
    this.shadowRoot.querySelector(".error").textContent = message;
    return message;
  }

  crowdReset() {
    this._dirty = false;
    this.value = this.getAttribute("value") || "";
  }

  focus() {
    this._control.focus();
  }
}

export class CrowdInput extends TextField {
  static tag = "input";

  /** An empty crowd-input is left out of the answer, as Ground Truth does. */
  crowdValue() {
    return this.value === "" ? undefined : this.value;
  }
}

export class CrowdTextArea extends TextField {
  static tag = "textarea";

  crowdValue() {
    return this.value;
  }
}

const CHECK_CSS = `
  ${BASE_CSS}
  :host { display: inline-flex; margin: 3px 14px 3px 0; vertical-align: middle; }
  button { display: inline-flex; align-items: center; gap: 9px; border: 0; background: none; padding: 3px 0;
    color: inherit; text-align: left; }
  button:disabled { cursor: not-allowed; opacity: .5; }
  .box { flex: none; width: 18px; height: 18px; border: 2px solid #98a2b3; border-radius: 5px; position: relative;
    transition: background .12s, border-color .12s; background: #fff; }
  :host([checked]) .box { background: var(--crowd-accent); border-color: var(--crowd-accent); }
  :host([checked]) .box::after { content: ""; position: absolute; left: 4px; top: 0; width: 5px; height: 10px;
    border: solid #fff; border-width: 0 2px 2px 0; transform: rotate(45deg); }
  :host([kind="radio"]) .box { border-radius: 50%; }
  :host([kind="radio"][checked]) .box::after { left: 3px; top: 3px; width: 8px; height: 8px; border: 0;
    border-radius: 50%; background: #fff; transform: none; }
  :host([kind="toggle"]) .box { width: 34px; height: 20px; border-radius: 999px; background: #d0d5dd; border: 0; }
  :host([kind="toggle"]) .box::after { content: ""; position: absolute; left: 2px; top: 2px; width: 16px; height: 16px;
    border-radius: 50%; background: #fff; border: 0; transform: none; transition: left .12s;
    box-shadow: 0 1px 2px rgba(16,24,40,.25); }
  :host([kind="toggle"][checked]) .box { background: var(--crowd-accent); }
  :host([kind="toggle"][checked]) .box::after { left: 16px; width: 16px; height: 16px; top: 2px; }
`;

class Checkable extends HTMLElement {
  static kind = "checkbox";

  static get observedAttributes() {
    return ["checked", "disabled"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open", delegatesFocus: true });
    const role = this.constructor.kind === "toggle" ? "switch" : this.constructor.kind;
    this.shadowRoot.innerHTML = `<style>${CHECK_CSS}</style>
      <button type="button" role="${role}" part="control"><span class="box" part="box"></span><slot></slot></button>`;
    this._button = this.shadowRoot.querySelector("button");
    this._button.addEventListener("click", () => {
      if (this.disabled) return;
      if (this.constructor.kind === "radio") {
        if (!this.checked) this._check();
      } else this.checked = !this.checked;
      this.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  connectedCallback() {
    this.setAttribute("kind", this.constructor.kind);
    upgradeProperties(this, ["checked", "disabled"]);
    if (!this._initialised) {
      this._initialised = true;
      this._defaultChecked = booleanAttribute(this, "checked");
      if (this.hasAttribute("checked") && !this._defaultChecked) this.removeAttribute("checked");
    }
    this._sync();
  }

  attributeChangedCallback() {
    this._sync();
  }

  _sync() {
    if (!this._button) return;
    this._button.setAttribute("aria-checked", String(this.checked));
    this._button.disabled = this.disabled;
  }

  get checked() {
    return booleanAttribute(this, "checked");
  }

  set checked(value) {
    this.toggleAttribute("checked", !!value);
  }

  get disabled() {
    return booleanAttribute(this, "disabled");
  }

  set disabled(value) {
    this.toggleAttribute("disabled", !!value);
  }

  get value() {
    return this.getAttribute("value") || "on";
  }

  crowdValidate() {
    if (booleanAttribute(this, "required") && !this.checked) return "Please check this box.";
    return "";
  }

  crowdReset() {
    this.checked = !!this._defaultChecked;
  }

  focus() {
    this._button.focus();
  }
}

export class CrowdCheckbox extends Checkable {
  static kind = "checkbox";
}

export class CrowdToggleButton extends Checkable {
  static kind = "toggle";
}

export class CrowdRadioButton extends Checkable {
  static kind = "radio";

  /** Check this one and uncheck the others of its group (or of its name, without one). */
  _check() {
    const group = composedClosest(this, "crowd-radio-group");
    let others;
    if (group) others = group.querySelectorAll("crowd-radio-button");
    else {
      const scope = composedClosest(this, "crowd-form") || this.getRootNode();
      const name = this.getAttribute("name");
      others = Array.from(scope.querySelectorAll("crowd-radio-button")).filter(
        (other) => other.getAttribute("name") === name && !composedClosest(other, "crowd-radio-group"),
      );
    }
    for (const other of others) if (other !== this) other.checked = false;
    this.checked = true;
  }

  set checked(value) {
    this.toggleAttribute("checked", !!value);
  }

  get checked() {
    return booleanAttribute(this, "checked");
  }
}

export class CrowdRadioGroup extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.innerHTML = `<style>:host { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 6px 0 12px; }</style><slot></slot>`;
    this.setAttribute("role", "radiogroup");
  }

  get value() {
    const checked = this.querySelector("crowd-radio-button[checked]");
    return checked ? checked.value : null;
  }
}

const SLIDER_CSS = `
  ${BASE_CSS}
  :host { display: block; margin: 8px 0 16px; max-width: 560px; }
  .row { display: flex; align-items: center; gap: 14px; }
  input[type=range] { flex: 1; accent-color: var(--crowd-accent); height: 24px; margin: 0; }
  .pin { min-width: 44px; text-align: center; font-weight: 700; font-variant-numeric: tabular-nums;
    padding: 3px 8px; border-radius: 6px; background: var(--crowd-accent-soft); color: var(--crowd-accent); }
  input[type=number] { width: 84px; font: inherit; padding: 5px 8px; border: 1px solid #d0d5dd; border-radius: 6px; }
  .labels { display: flex; justify-content: space-between; font-size: 12px; color: var(--crowd-muted); margin-top: 2px; }
  .labels:empty { display: none; }
`;

export class CrowdSlider extends HTMLElement {
  static get observedAttributes() {
    return ["min", "max", "step", "value", "disabled", "pin", "editable"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open", delegatesFocus: true });
    this.shadowRoot.innerHTML = `<style>${SLIDER_CSS}</style>
      <div class="row"><input type="range" part="slider"><span class="pin" part="pin"></span>
      <input type="number" class="edit" hidden></div><div class="labels"><slot></slot></div>
      <div class="error" role="alert"></div>`;
    this._range = this.shadowRoot.querySelector("input[type=range]");
    this._number = this.shadowRoot.querySelector("input[type=number]");
    this._range.addEventListener("input", () => {
      this._touched = true;
      this._valueSet = true;
      this._number.value = this._range.value;
      this._showPin();
      this.dispatchEvent(new Event("input", { bubbles: true }));
    });
    this._range.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })));
    this._number.addEventListener("change", () => {
      this.value = this._number.value;
      this._touched = true;
      this.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  connectedCallback() {
    upgradeProperties(this, ["value", "disabled"]);
    this._sync();
  }

  attributeChangedCallback(name) {
    this._sync(name === "value");
  }

  _sync(valueChanged = true) {
    const range = this._range;
    range.min = this.getAttribute("min") ?? "0";
    range.max = this.getAttribute("max") ?? "100";
    range.step = this.getAttribute("step") ?? "1";
    if (valueChanged && this.hasAttribute("value")) range.value = this.getAttribute("value");
    else if (!this._valueSet) {
      // No value given: start in the middle (on a step), as a native range would.
      const min = Number(range.min) || 0;
      const max = Number(range.max);
      const step = Number(range.step) || 1;
      range.value = String(min + Math.round((max - min) / 2 / step) * step);
    }
    this._valueSet = this._valueSet || this.hasAttribute("value");
    this._number.min = range.min;
    this._number.max = range.max;
    this._number.step = range.step;
    this._number.value = range.value;
    range.disabled = booleanAttribute(this, "disabled");
    this._number.hidden = !booleanAttribute(this, "editable");
    this.shadowRoot.querySelector(".pin").hidden = !booleanAttribute(this, "pin") && !this.hasAttribute("value-visible");
    range.setAttribute("aria-label", this.getAttribute("name") || "slider");
    this._showPin();
  }

  _showPin() {
    this.shadowRoot.querySelector(".pin").textContent = this._range.value;
  }

  get value() {
    return Number(this._range.value);
  }

  set value(value) {
    this._valueSet = true;
    this._range.value = String(value);
    this._number.value = this._range.value;
    this._showPin();
  }

  get disabled() {
    return booleanAttribute(this, "disabled");
  }

  set disabled(value) {
    this.toggleAttribute("disabled", !!value);
  }

  crowdValue() {
    return this.value;
  }

  crowdValidate() {
    if (booleanAttribute(this, "required") && !this._touched && !this.hasAttribute("value")) {
      const message = "Move the slider to answer.";
      this.shadowRoot.querySelector(".error").textContent = message;
      return message;
    }
    this.shadowRoot.querySelector(".error").textContent = "";
    return "";
  }

  crowdReset() {
    this._touched = false;
    this._sync();
  }

  focus() {
    this._range.focus();
  }
}

export class CrowdSliderLabel extends HTMLElement {
  connectedCallback() {
    this.style.display = "inline";
  }
}
