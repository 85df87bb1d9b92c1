// <crowd-image-classifier> and <crowd-image-classifier-multi-select>: the classifiers with
// the image (`src`) as their target, an optional verification `overlay` drawn over it
// (a prior job's boxes, polygons, polylines, key points, or a prior mask), click-to-zoom, and the `worker-comment` region.
// Submits {"label": "<category>"} (+ "workerComment") and {"labels": [...]}.
import { BaseClassifier } from "./classifier.js";
import { escapeHtml, parseLiteral } from "./lib.js";
import { CATEGORY10 } from "./viewport.js";

const IMAGE_CSS = `
  .figure { position: relative; margin: 0 0 16px; border-radius: var(--crowd-radius); overflow: hidden;
    background: #1d2330 repeating-conic-gradient(#252b38 0 25%, #1d2330 0 50%) 0 0 / 24px 24px;
    display: grid; place-items: center; min-height: 200px; }
  .figure .inner { position: relative; display: inline-block; line-height: 0; cursor: zoom-in; }
  .figure.zoomed { max-height: none; overflow: auto; }
  .figure.zoomed .inner { cursor: zoom-out; }
  .figure img { display: block; max-width: 100%; max-height: var(--image-height, 480px); }
  .figure.zoomed img { max-width: none; max-height: none; }
  .figure svg, .figure .overlay-mask { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  .figure .overlay-mask { opacity: .5; object-fit: fill; }
  .figure rect, .figure polygon, .figure polyline { fill: color-mix(in srgb, var(--c) 10%, transparent);
    stroke: var(--c); stroke-width: 2; vector-effect: non-scaling-stroke; }
  .figure polyline.open { fill: none; }
  .figure circle { fill: var(--c); stroke: #fff; stroke-width: 2; vector-effect: non-scaling-stroke; }
  .figure text { fill: #fff; font: 600 13px system-ui, sans-serif; paint-order: stroke; stroke: var(--c); stroke-width: 3px; }
  .figure .message { color: #d0d5dd; font-size: 14px; padding: 40px; line-height: 1.5; }
  .comment { margin-top: 14px; }
  .comment textarea { width: 100%; min-height: 70px; margin-top: 6px; padding: 8px 10px; font: inherit; border: 1px solid #d0d5dd;
    border-radius: 8px; }
`;

function finite(...numbers) {
  return numbers.map(Number).every(Number.isFinite);
}

function pointList(shape) {
  const vertices = Array.isArray(shape.vertices) ? shape.vertices : [];
  if (!vertices.every((v) => v && finite(v.x, v.y))) return "";
  return vertices.map((v) => `${Number(v.x)},${Number(v.y)}`).join(" ");
}

// overlay key -> the SVG of one shape (image pixels), "" when the shape is malformed
const OVERLAY_SHAPES = {
  boundingBox: ({ left, top, width, height }) =>
    finite(left, top, width, height)
      ? `<rect x="${Number(left)}" y="${Number(top)}" width="${Number(width)}" height="${Number(height)}"/>`
      : "",
  polygon: (shape) => (pointList(shape) ? `<polygon points="${pointList(shape)}"/>` : ""),
  polyline: (shape) => (pointList(shape) ? `<polyline class="open" points="${pointList(shape)}"/>` : ""),
  keypoint: ({ x, y }, imageWidth) =>
    finite(x, y) ? `<circle cx="${Number(x)}" cy="${Number(y)}" r="${Math.max(3, imageWidth / 150)}"/>` : "",
};

class ImageClassifierMixin extends BaseClassifier {
  static get observedAttributes() {
    return [...super.observedAttributes, "src", "overlay"];
  }

  constructor() {
    super();
    const style = document.createElement("style");
    style.textContent = IMAGE_CSS;
    this.shadowRoot.append(style);
    this._figure = document.createElement("div");
    this._figure.className = "figure";
    this._figure.setAttribute("part", "image");
    this._figure.innerHTML = `<div class="inner"><img alt="The image to classify"></div><div class="message" hidden></div>`;
    const main = this.shadowRoot.querySelector(".main");
    main.insertBefore(this._figure, main.querySelector(".target"));
    this._img = this._figure.querySelector("img");
    this._img.addEventListener("load", () => this._drawOverlay());
    this._img.addEventListener("error", () => {
      const message = this._figure.querySelector(".message");
      message.hidden = false;
      message.textContent = "The image could not be loaded.";
    });
    this._figure.querySelector(".inner").addEventListener("click", () => this._figure.classList.toggle("zoomed"));
    this._comment = document.createElement("div");
    this._comment.className = "comment";
    this._comment.hidden = true;
    main.insertBefore(this._comment, main.querySelector(".error"));
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (name === "src" || name === "overlay") {
      this._syncImage();
      return;
    }
    super.attributeChangedCallback(name, oldValue, newValue);
  }

  connectedCallback() {
    super.connectedCallback();
    this._syncImage();
  }

  _assignSlots() {
    super._assignSlots();
    const comment = this.querySelector(":scope > worker-comment");
    const extras = Array.from(this.children).filter(
      (node) => !["CLASSIFICATION-TARGET", "SHORT-INSTRUCTIONS", "FULL-INSTRUCTIONS", "WORKER-COMMENT", "SCRIPT", "STYLE", "TEMPLATE"].includes(node.tagName),
    );
    this.shadowRoot.querySelector("slot[name=extra]").assign(...extras);
    if (comment && !this._commentWired) {
      this._commentWired = true;
      comment.hidden = true;
      const linkText = comment.getAttribute("link-text") || "Add a comment.";
      this._comment.hidden = false;
      this._comment.innerHTML = `<button type="button" class="link">${escapeHtml(linkText)}</button>
        <div hidden><strong>${escapeHtml(comment.getAttribute("header") || "Add a comment.")}</strong>
        <textarea placeholder="${escapeHtml(comment.getAttribute("placeholder") || "")}"></textarea></div>`;
      const box = this._comment.querySelector("div");
      this._comment.querySelector("button").onclick = () => {
        box.hidden = !box.hidden;
        if (!box.hidden) this._comment.querySelector("textarea").focus();
      };
    }
  }

  _syncImage() {
    if (!this._img) return;
    const src = this.getAttribute("src") || "";
    if (this._img.getAttribute("src") !== src) this._img.setAttribute("src", src);
    this._drawOverlay();
  }

  _drawOverlay() {
    const inner = this._figure.querySelector(".inner");
    for (const old of inner.querySelectorAll("svg, .overlay-mask")) old.remove();
    const overlay = parseLiteral(this.getAttribute("overlay"), null);
    const width = this._img.naturalWidth;
    const height = this._img.naturalHeight;
    if (!overlay || typeof overlay !== "object" || !width) return;
    // boundingBox is Ground Truth's; polygon, polyline and keypoint are ours (the prior
    // label of a chained verification project), each {labels, value: [shapes]}.
    const marks = Object.entries(OVERLAY_SHAPES)
      .filter(([key]) => overlay[key] && Array.isArray(overlay[key].value))
      .flatMap(([key, draw]) => {
        const labels = Array.isArray(overlay[key].labels) ? overlay[key].labels.map(String) : [];
        const color = (label) => CATEGORY10[Math.max(0, labels.indexOf(label)) % CATEGORY10.length];
        return overlay[key].value.map((shape) => {
          const mark = shape && typeof shape === "object" ? draw(shape, width) : "";
          return mark && `<g style="--c:${escapeHtml(color(String(shape.label)))}">${mark}</g>`;
        });
      })
      .filter(Boolean);
    if (marks.length) {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      svg.setAttribute("preserveAspectRatio", "none");
      svg.innerHTML = marks.join("");
      inner.append(svg);
    }
    for (const key of ["semanticSegmentation", "instanceSegmentation"]) {
      const mask = overlay[key];
      const src = mask && (mask.src || (typeof mask.value === "string" ? mask.value : null));
      if (src) {
        const image = document.createElement("img");
        image.className = "overlay-mask";
        image.alt = "";
        image.src = src;
        inner.append(image);
      }
    }
  }

  crowdValue() {
    const value = super.crowdValue();
    const textarea = this._comment.querySelector("textarea");
    if (value && textarea && textarea.value.trim()) value.workerComment = textarea.value;
    return value;
  }
}

export class CrowdImageClassifier extends ImageClassifierMixin {
  static multiple = false;
}

export class CrowdImageClassifierMultiSelect extends ImageClassifierMixin {
  static multiple = true;
}
