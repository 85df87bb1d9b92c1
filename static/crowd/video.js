// <crowd-video-frames>: boxes over a sequence of video frames (Ground Truth's video frame
// object detection and tracking; our element, since GT's video tool is not a template
// element). Attributes: `frames` (JSON list of frame image URLs), `labels`, `name`,
// `mode` ("tracking": objects keep their id across frames; "detection"), `initial-value`.
//
// Each object has keyframes (frames where the worker drew or adjusted its box); between
// two keyframes its box is interpolated linearly, and when tracking it stays in place after
// its last keyframe. "Copy to next frame" (C) makes keyframes of every box on the next
// frame. Delete removes a box from this frame (when tracking: the object leaves from here
// on). A scrubber, previous/next (, and .) and playback (P) move through the frames.
// Submits {"inputImageProperties": {width, height}, "frameCount": n, "frames": [{"frameNo": i,
// "boxes": [{"objectId", "label", "left", "top", "width", "height", "keyframe"}]}]}, one entry
// per frame that has boxes, interpolated boxes included (keyframe false).
import { parseLiteral } from "./lib.js";
import { CrowdBoundingBox } from "./shapes.js";

const VIDEO_CSS = `
  .timeline { display: flex; align-items: center; gap: 8px; margin-top: 8px; padding: 6px 8px;
    border: 1px solid var(--crowd-line); border-radius: 8px; background: #fff; }
  .timeline input[type=range] { flex: 1; accent-color: var(--crowd-accent); }
  .frame-no { font: 600 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--crowd-muted);
    min-width: 92px; text-align: right; }
  .keys-strip { position: relative; height: 6px; margin: 4px 8px 0; }
  .keys-strip i { position: absolute; top: 0; width: 4px; height: 6px; margin-left: -2px; border-radius: 2px;
    background: var(--crowd-accent); }
`;

const PLAYBACK_FPS = 6;

function lerp(a, b, t) {
  return a + (b - a) * t;
}

export class CrowdVideoFrames extends CrowdBoundingBox {
  static css = `${CrowdBoundingBox.css}${VIDEO_CSS}`;

  static get observedAttributes() {
    return [...super.observedAttributes, "frames", "mode"];
  }

  constructor() {
    super();
    this._keepViewOnLoad = true;
    this._frameIndex = 0;
    this._keyframes = new Map(); // objectId -> Map(frame -> box)
    this._objectLabels = new Map(); // objectId -> label
    const timeline = document.createElement("div");
    timeline.innerHTML = `<div class="timeline" part="timeline">
        <button type="button" class="tool" data-video="prev" title="Previous frame (,)">◀</button>
        <button type="button" class="tool" data-video="play" title="Play / pause (P)">▶ Play</button>
        <button type="button" class="tool" data-video="next" title="Next frame (.)">▶</button>
        <input type="range" class="scrubber" min="0" max="0" value="0" aria-label="Frame">
        <span class="frame-no"></span>
        <button type="button" class="tool" data-video="copy" title="Copy the boxes to the next frame (C)">Copy to next</button>
      </div><div class="keys-strip" aria-hidden="true"></div>`;
    this.shadowRoot.querySelector(".body").after(timeline);
    this._scrubber = timeline.querySelector(".scrubber");
    this._scrubber.addEventListener("input", () => this.goToFrame(Number(this._scrubber.value)));
    timeline.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-video]");
      if (!button) return;
      const action = button.dataset.video;
      if (action === "prev") this.goToFrame(this._frameIndex - 1);
      else if (action === "next") this.goToFrame(this._frameIndex + 1);
      else if (action === "play") this.togglePlayback();
      else if (action === "copy") this.copyToNextFrame();
    });
    this._hint.textContent =
      "Draw boxes; C copies them to the next frame. Boxes between two keyframes are interpolated.";
  }

  get frames() {
    const frames = parseLiteral(this.getAttribute("frames"), []);
    return Array.isArray(frames) ? frames.map(String) : [];
  }

  get tracking() {
    return (this.getAttribute("mode") || "tracking") !== "detection";
  }

  connectedCallback() {
    if (!this._framesApplied) this._applyFrames();
    super.connectedCallback();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (name === "frames") {
      if (oldValue !== newValue && this.shadowRoot) this._applyFrames();
      return;
    }
    super.attributeChangedCallback(name, oldValue, newValue);
  }

  _applyFrames() {
    this._framesApplied = true;
    const frames = this.frames;
    this._scrubber.max = String(Math.max(0, frames.length - 1));
    if (frames.length) this.setAttribute("src", frames[Math.min(this._frameIndex, frames.length - 1)]);
    this._renderTimeline();
  }

  // Frames

  goToFrame(index) {
    const frames = this.frames;
    if (!frames.length) return;
    const target = Math.max(0, Math.min(frames.length - 1, index));
    if (target === this._frameIndex && this._shapesFrame === target) return;
    this._frameIndex = target;
    this._draft = null;
    this._renderDraft();
    this._shapes = this._shapesFor(target);
    // The selected object stays selected on frames where it has a box.
    if (!this._shapes.some((shape) => shape.id === this._selected)) this._selected = null;
    this._shapesFrame = target;
    this._renderAll();
    this._renderLabels();
    this._renderTimeline();
    this.setAttribute("src", frames[target]);
    for (const ahead of [target + 1, target + 2]) {
      if (ahead < frames.length) new Image().src = frames[ahead]; // warm the cache
    }
  }

  togglePlayback() {
    const button = this.shadowRoot.querySelector('[data-video="play"]');
    if (this._playback) {
      clearInterval(this._playback);
      this._playback = null;
      button.textContent = "▶ Play";
      return;
    }
    if (this._frameIndex >= this.frames.length - 1) this.goToFrame(0);
    button.textContent = "❚❚ Pause";
    this._playback = setInterval(() => {
      if (this._frameIndex >= this.frames.length - 1) this.togglePlayback();
      else this.goToFrame(this._frameIndex + 1);
    }, 1000 / PLAYBACK_FPS);
  }

  copyToNextFrame() {
    const next = this._frameIndex + 1;
    if (next >= this.frames.length) return false;
    const before = this._snapshot();
    for (const shape of this._shapes) this._keyframe(shape.id, shape.label).set(next, { ...shape.box });
    this._commitModel(before);
    this.goToFrame(next);
    return true;
  }

  _renderTimeline() {
    const count = this.frames.length;
    this._scrubber.value = String(this._frameIndex);
    this.shadowRoot.querySelector(".frame-no").textContent = count
      ? `Frame ${this._frameIndex + 1} / ${count}`
      : "No frames";
    const frames = new Set();
    for (const keys of this._keyframes.values()) {
      for (const [frame, box] of keys) if (box) frames.add(frame);
    }
    const strip = this.shadowRoot.querySelector(".keys-strip");
    strip.innerHTML = [...frames]
      .map((frame) => `<i style="left:${count > 1 ? (100 * frame) / (count - 1) : 0}%"></i>`)
      .join("");
  }

  // Model: keyframes per object, interpolated in between

  _keyframe(objectId, label) {
    if (!this._keyframes.has(objectId)) this._keyframes.set(objectId, new Map());
    if (label !== undefined) this._objectLabels.set(objectId, label);
    return this._keyframes.get(objectId);
  }

  /** The box of `objectId` on `frame`, or null where it has none. A keyframe holds a box,
   * or null where the object is marked absent (deleted there). Between two box keyframes
   * the box is interpolated; in tracking mode an object also stays, unmoved, after its
   * last keyframe until it is marked absent. */
  _boxAt(objectId, frame) {
    const keys = this._keyframes.get(objectId);
    if (!keys || !keys.size) return null;
    if (keys.has(frame)) {
      const box = keys.get(frame);
      return box ? { box, keyframe: true } : null;
    }
    let before = -1;
    let after = Infinity;
    for (const key of keys.keys()) {
      if (key < frame && key > before) before = key;
      if (key > frame && key < after) after = key;
    }
    const a = before >= 0 ? keys.get(before) : null;
    if (!a) return null;
    const b = after === Infinity ? undefined : keys.get(after);
    if (!b) return b === undefined && this.tracking ? { box: { ...a }, keyframe: false } : null;
    const t = (frame - before) / (after - before);
    return {
      box: {
        left: lerp(a.left, b.left, t),
        top: lerp(a.top, b.top, t),
        width: lerp(a.width, b.width, t),
        height: lerp(a.height, b.height, t),
      },
      keyframe: false,
    };
  }

  _shapesFor(frame) {
    const shapes = [];
    for (const objectId of this._keyframes.keys()) {
      const at = this._boxAt(objectId, frame);
      if (at) shapes.push({ id: objectId, label: this._objectLabels.get(objectId), box: { ...at.box }, keyframe: at.keyframe });
    }
    return shapes;
  }

  _parseInitial() {
    // initial-value: the submitted format ({frames: [{frameNo, boxes: [...]}]}), keyframes only.
    const raw = parseLiteral(this.getAttribute("initial-value"), null);
    this._keyframes = new Map();
    this._objectLabels = new Map();
    for (const frame of (raw && Array.isArray(raw.frames) ? raw.frames : [])) {
      for (const box of Array.isArray(frame.boxes) ? frame.boxes : []) {
        if (box.keyframe === false) continue;
        const id = Number(box.objectId);
        const values = ["left", "top", "width", "height"].map((key) => Number(box[key]));
        if (!Number.isFinite(id) || values.some((value) => !Number.isFinite(value))) continue;
        const [left, top, width, height] = values;
        this._keyframe(id, String(box.label)).set(Number(frame.frameNo), { left, top, width, height });
      }
    }
    this._shapesFrame = this._frameIndex;
    return this._shapesFor(this._frameIndex);
  }

  _onImageReady() {
    if (this._initialApplied) {
      // Another frame loaded: only the layer's size can change.
      this._svg.setAttribute("width", this.imageWidth);
      this._svg.setAttribute("height", this.imageHeight);
      this._svg.setAttribute("viewBox", `0 0 ${this.imageWidth} ${this.imageHeight}`);
      return;
    }
    super._onImageReady();
    this._renderTimeline();
  }

  /** Fold the edits made to this frame's shapes into the keyframes. */
  _syncFrame() {
    const frame = this._frameIndex;
    const present = new Set(this._shapes.map((shape) => shape.id));
    for (const shape of this._shapes) {
      const existing = this._boxAt(shape.id, frame);
      const box = shape.box;
      const moved =
        !existing ||
        ["left", "top", "width", "height"].some((key) => Math.abs(existing.box[key] - box[key]) > 1e-6);
      if (moved || shape.keyframe || this._objectLabels.get(shape.id) !== shape.label) {
        this._keyframe(shape.id, shape.label).set(frame, { ...box });
        shape.keyframe = true;
      }
    }
    for (const objectId of [...this._keyframes.keys()]) {
      if (present.has(objectId) || !this._boxAt(objectId, frame)) continue;
      // Deleted here: absent on this frame; a tracked object leaves for good.
      const keys = this._keyframes.get(objectId);
      if (this.tracking) for (const key of [...keys.keys()]) if (key > frame) keys.delete(key);
      keys.set(frame, null);
      if (![...keys.values()].some(Boolean)) {
        this._keyframes.delete(objectId);
        this._objectLabels.delete(objectId);
      }
    }
  }

  _snapshot() {
    return JSON.stringify({
      keyframes: [...this._keyframes].map(([id, keys]) => [id, [...keys]]),
      labels: [...this._objectLabels],
    });
  }

  _restore(snapshot) {
    const state = JSON.parse(snapshot);
    this._keyframes = new Map(state.keyframes.map(([id, keys]) => [id, new Map(keys)]));
    this._objectLabels = new Map(state.labels);
    this._shapes = this._shapesFor(this._frameIndex);
    if (!this._shapes.some((shape) => shape.id === this._selected)) this._selected = null;
    this._draft = null;
    this._renderDraft();
    this._renderAll();
    this._renderTimeline();
  }

  _commit(before) {
    this._syncFrame();
    this._commitModel(before);
  }

  _commitModel(before) {
    super._commit(before);
    this._renderTimeline();
  }

  _shapeMarkup(shape) {
    const markup = super._shapeMarkup(shape);
    // Interpolated boxes are dashed, keyframes solid.
    return shape.keyframe === false ? markup.replace("<rect ", '<rect stroke-dasharray="6 4" ') : markup;
  }

  _toolShortcut(event) {
    const key = event.key;
    const free = this._selected === null; // arrows move a selected box instead
    if (key === "," || (key === "ArrowLeft" && free)) this.goToFrame(this._frameIndex - 1);
    else if (key === "." || (key === "ArrowRight" && free)) this.goToFrame(this._frameIndex + 1);
    else if (key === "c" || key === "C") return this.copyToNextFrame();
    else if (key === "p" || key === "P") this.togglePlayback();
    else return super._toolShortcut(event);
    return true;
  }

  _keysHelp() {
    return `${super._keysHelp()}<div><span class="kbd">,</span><span class="kbd">.</span>frame · <span class="kbd">C</span>copy to next · <span class="kbd">P</span>play</div>`;
  }

  crowdValue() {
    if (!this.imageReady) return undefined;
    const frames = [];
    for (let frame = 0; frame < this.frames.length; frame += 1) {
      const boxes = this._shapesFor(frame).map((shape) => {
        const left = Math.round(shape.box.left);
        const top = Math.round(shape.box.top);
        const entry = {
          objectId: shape.id,
          label: shape.label,
          left,
          top,
          width: Math.round(shape.box.left + shape.box.width) - left,
          height: Math.round(shape.box.top + shape.box.height) - top,
          keyframe: shape.keyframe,
        };
        return entry;
      });
      if (boxes.length) frames.push({ frameNo: frame, boxes });
    }
    return { inputImageProperties: this.inputImageProperties, frameCount: this.frames.length, frames };
  }

  get objectCount() {
    return this._keyframes.size;
  }

  /** Boxes shown on the current frame, as [objectId, keyframe] pairs (for tests). */
  get frameShapes() {
    return this._shapes.map((shape) => [shape.id, shape.keyframe]);
  }
}
