// Shared helpers for the crowd elements: lenient attribute parsing, styles, keyboard.

/**
 * Parse an attribute value written as a JavaScript literal, leniently (JSON5-like):
 * single or double quotes, unquoted keys, trailing commas, true/false/null/undefined.
 * Ground Truth templates write `categories="['A', 'B']"` and `{ text: 'None' }`.
 * Returns `fallback` when the text is empty or not a literal.
 */
export function parseLiteral(text, fallback = undefined) {
  if (text === null || text === undefined) return fallback;
  if (typeof text !== "string") return text;
  const source = text.trim();
  if (!source) return fallback;
  let index = 0;

  const fail = () => {
    throw new SyntaxError(`not a literal at ${index}`);
  };
  const space = () => {
    while (index < source.length) {
      const ch = source[index];
      if (/\s/.test(ch)) index += 1;
      else if (source.startsWith("//", index)) {
        while (index < source.length && source[index] !== "\n") index += 1;
      } else if (source.startsWith("/*", index)) {
        const end = source.indexOf("*/", index + 2);
        index = end < 0 ? source.length : end + 2;
      } else break;
    }
  };
  const string = () => {
    const quote = source[index];
    index += 1;
    let out = "";
    while (index < source.length && source[index] !== quote) {
      let ch = source[index];
      if (ch === "\\") {
        index += 1;
        ch = source[index];
        const escapes = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", 0: "\0" };
        if (ch === "u") {
          out += String.fromCharCode(parseInt(source.slice(index + 1, index + 5), 16));
          index += 4;
        } else if (ch === "x") {
          out += String.fromCharCode(parseInt(source.slice(index + 1, index + 3), 16));
          index += 2;
        } else if (ch === "\n") {
          // line continuation
        } else out += escapes[ch] ?? ch;
      } else out += ch;
      index += 1;
    }
    if (source[index] !== quote) fail();
    index += 1;
    return out;
  };
  const word = () => {
    const match = /^[A-Za-z_$][\w$-]*/.exec(source.slice(index));
    if (!match) fail();
    index += match[0].length;
    return match[0];
  };
  const value = () => {
    space();
    const ch = source[index];
    if (ch === "[") {
      index += 1;
      const items = [];
      for (;;) {
        space();
        if (source[index] === "]") { index += 1; return items; }
        items.push(value());
        space();
        if (source[index] === ",") index += 1;
        else if (source[index] !== "]") fail();
      }
    }
    if (ch === "{") {
      index += 1;
      const object = {};
      for (;;) {
        space();
        if (source[index] === "}") { index += 1; return object; }
        const key = source[index] === '"' || source[index] === "'" ? string() : word();
        space();
        if (source[index] !== ":") fail();
        index += 1;
        object[key] = value();
        space();
        if (source[index] === ",") index += 1;
        else if (source[index] !== "}") fail();
      }
    }
    if (ch === '"' || ch === "'" || ch === "`") return string();
    const number = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|0x[0-9a-f]+)/i.exec(
      source.slice(index),
    );
    if (number) {
      index += number[0].length;
      return Number(number[0]);
    }
    const literal = word();
    const words = { true: true, false: false, null: null, undefined: undefined };
    if (literal in words) return words[literal];
    fail();
    return undefined;
  };

  try {
    const result = value();
    space();
    if (index !== source.length) fail();
    return result;
  } catch {
    console.warn("crowd elements: could not parse attribute value", source);
    return fallback;
  }
}

/** A presence-style boolean attribute that also accepts "true"/"false" as written. */
export function booleanAttribute(element, name) {
  if (!element.hasAttribute(name)) return false;
  const raw = element.getAttribute(name).trim().toLowerCase();
  return raw !== "false" && raw !== "0";
}

/** Properties set on an element before it was upgraded shadow the class accessors. */
export function upgradeProperties(element, names) {
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(element, name)) {
      const value = element[name];
      delete element[name];
      element[name] = value;
    }
  }
}

/** Nearest ancestor matching `selector`, crossing shadow-root boundaries. */
export function composedClosest(element, selector) {
  let node = element;
  while (node) {
    if (node.nodeType === Node.ELEMENT_NODE && node.matches(selector)) return node;
    node = node.parentNode || node.host || null;
  }
  return null;
}

/** Category objects from strings or `{label|text|name, description}` objects. */
export function normalizeCategories(raw) {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((item) => {
      if (item === null || item === undefined) return null;
      if (typeof item !== "object") return { label: String(item), description: "" };
      const label = item.label ?? item.text ?? item.name ?? item.value;
      if (label === undefined) return null;
      return { label: String(label), description: item.description ? String(item.description) : "" };
    })
    .filter(Boolean);
}

export function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** True when a key press belongs to a text field rather than to a shortcut. */
export function isTypingTarget(event) {
  const target = event.composedPath ? event.composedPath()[0] : event.target;
  if (!target || target.nodeType !== Node.ELEMENT_NODE) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"].includes(
    (target.type || "text").toLowerCase(),
  );
}

// Keyboard shortcuts: digits go to one widget at a time, the one used last (or the first).
const shortcutWidgets = [];
let activeWidget = null;

export function registerShortcuts(widget) {
  if (!shortcutWidgets.includes(widget)) shortcutWidgets.push(widget);
}

export function unregisterShortcuts(widget) {
  const index = shortcutWidgets.indexOf(widget);
  if (index >= 0) shortcutWidgets.splice(index, 1);
  if (activeWidget === widget) activeWidget = null;
}

export function activateShortcuts(widget) {
  activeWidget = widget;
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || isTypingTarget(event)) return;
  const widget =
    activeWidget && activeWidget.isConnected
      ? activeWidget
      : shortcutWidgets.find((candidate) => candidate.isConnected);
  if (!widget) return;
  // Ctrl/Cmd/Alt combinations go only to widgets that ask for them (undo/redo in the
  // drawing tools); everything else leaves them to the browser.
  if ((event.ctrlKey || event.metaKey || event.altKey) && !widget.acceptsModifiedKeys) return;
  if (widget.handleShortcut(event)) event.preventDefault();
});

/** Key-up events for widgets that track held keys (Space to pan). */
document.addEventListener("keyup", (event) => {
  const widget = activeWidget && activeWidget.isConnected ? activeWidget : null;
  if (widget && typeof widget.handleKeyUp === "function") widget.handleKeyUp(event);
});

// One palette for labels: readable on white, distinct side by side.
export const PALETTE = [
  "#2f6fed", "#e8590c", "#2b8a3e", "#c2255c", "#7048e8",
  "#0b7285", "#a61e4d", "#5c940d", "#d9480f", "#364fc7",
];

/** The base stylesheet every element's shadow root starts with. */
export const BASE_CSS = `
  :host { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330;
    --crowd-accent: #2f6fed; --crowd-accent-soft: #eef3ff; --crowd-line: #e4e7ec; --crowd-muted: #667085;
    --crowd-danger: #c4320a; --crowd-radius: 8px; }
  :host([hidden]) { display: none !important; }
  * { box-sizing: border-box; }
  button { font: inherit; cursor: pointer; }
  button:focus-visible, input:focus-visible, textarea:focus-visible {
    outline: 2px solid #b2ccff; outline-offset: 1px; }
  .kbd { display: inline-flex; align-items: center; justify-content: center; min-width: 20px; height: 20px;
    padding: 0 5px; border: 1px solid var(--crowd-line); border-bottom-width: 2px; border-radius: 4px;
    font: 600 11px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--crowd-muted); background: #fff; }
  .error { color: var(--crowd-danger); font-size: 13px; margin-top: 6px; }
  .error:empty { display: none; }
`;

/** Styles shared by the annotation widgets (header, target panel, instructions aside). */
export const WIDGET_CSS = `
  :host { display: block; margin: 0 0 20px; }
  .layout { display: grid; grid-template-columns: minmax(0, 1fr) 260px; gap: 20px; align-items: start; }
  .layout.no-aside { grid-template-columns: minmax(0, 1fr); }
  @media (max-width: 720px) { .layout { grid-template-columns: minmax(0, 1fr); } }
  .main { background: #fff; border: 1px solid var(--crowd-line); border-radius: var(--crowd-radius);
    padding: 20px 22px; box-shadow: 0 1px 2px rgba(16,24,40,.04); }
  .header { font-size: 18px; font-weight: 650; margin: 0 0 14px; letter-spacing: -.01em; }
  .target { font-size: 16px; line-height: 1.65; padding: 16px 18px; margin-bottom: 18px; background: #fafbfc;
    border: 1px solid var(--crowd-line); border-radius: var(--crowd-radius); overflow-wrap: anywhere; }
  .target:empty { display: none; }
  aside { background: #fff; border: 1px solid var(--crowd-line); border-radius: var(--crowd-radius);
    padding: 16px 18px; font-size: 14px; position: sticky; top: 12px; }
  aside h3 { margin: 0 0 8px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--crowd-muted); }
  aside .short { margin-bottom: 10px; }
  aside .short ::slotted(*) { margin-top: 0; }
  .link { background: none; border: 0; padding: 0; color: var(--crowd-accent); font-weight: 600; }
  .link:hover { text-decoration: underline; }
  dialog { border: 0; border-radius: 12px; padding: 0; width: min(720px, 92vw); max-height: 86vh;
    box-shadow: 0 24px 48px rgba(16,24,40,.25); }
  dialog::backdrop { background: rgba(16,24,40,.45); }
  dialog header { display: flex; justify-content: space-between; align-items: center; padding: 16px 20px;
    border-bottom: 1px solid var(--crowd-line); font-weight: 650; font-size: 16px; }
  dialog .body { padding: 16px 20px; overflow: auto; max-height: calc(86vh - 60px); }
  .close { background: none; border: 0; font-size: 22px; line-height: 1; color: var(--crowd-muted); }
`;

/**
 * Instructions aside for a widget: short instructions inline, full ones in a dialog.
 * `host` must have a shadow root with `manual` slot assignment; returns the markup and a
 * function that assigns the region elements to the slots.
 */
export function instructionsMarkup() {
  return `
    <aside part="instructions" class="awsui-app-layout__navigation">
      <h3>Instructions</h3>
      <div class="short"><slot name="short"></slot></div>
      <button type="button" class="link full-open">View full instructions</button>
    </aside>
    <dialog part="full-instructions" class="awsui-modal-dialog">
      <header><span class="full-title">Instructions</span>
        <button type="button" class="close" aria-label="Close">×</button></header>
      <div class="body"><slot name="full"></slot></div>
    </dialog>`;
}

export function wireInstructions(host) {
  const root = host.shadowRoot;
  const short = host.querySelector(":scope > short-instructions");
  const full = host.querySelector(":scope > full-instructions");
  root.querySelector("slot[name=short]").assign(...(short ? [short] : []));
  root.querySelector("slot[name=full]").assign(...(full ? [full] : []));
  const aside = root.querySelector("aside");
  const hasShort = short && short.textContent.trim() !== "";
  const hasFull = full && (full.textContent.trim() !== "" || full.querySelector("img"));
  aside.hidden = !hasShort && !hasFull;
  root.querySelector(".layout")?.classList.toggle("no-aside", aside.hidden);
  root.querySelector(".full-open").hidden = !hasFull;
  const dialog = root.querySelector("dialog");
  root.querySelector(".full-title").textContent =
    (full && full.getAttribute("header")) || "Instructions";
  root.querySelector(".full-open").onclick = () => dialog.showModal();
  root.querySelector(".close").onclick = () => dialog.close();
}
