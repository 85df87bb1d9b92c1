// Ground Truth's generative-AI ("V2") elements. Their submitted shapes are not documented
// (crowd-elements spec 2.4); ours are:
//   <crowd-text-ranking>  {"ordinalRankingDimensions": [{"name", "responseRankings": [1, 3, 2]}]}
//     one rank per response (1 = best), as the immersion-day notebook reads them; ties only
//     where the dimension has "allowTie": true.
//   <crowd-question-answer-generation>
//     {"questionAnswerPairs": [{"question", "answer", "questionTag"}]}
import {
  BASE_CSS,
  WIDGET_CSS,
  booleanAttribute,
  escapeHtml,
  instructionsMarkup,
  parseLiteral,
  wireInstructions,
} from "./lib.js";

const V2_CSS = `
  ${BASE_CSS}
  ${WIDGET_CSS}
  .prompt { white-space: pre-wrap; }
  table { width: 100%; border-collapse: collapse; margin: 0 0 16px; font-size: 14px; }
  th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--crowd-line); vertical-align: top; }
  th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--crowd-muted); }
  select, input { font: inherit; padding: 6px 8px; border: 1px solid #d0d5dd; border-radius: 6px; }
  .dimension { font-weight: 650; margin: 14px 0 6px; }
  .pair { display: grid; grid-template-columns: 140px 1fr 1fr auto; gap: 8px; align-items: start; margin-bottom: 8px; }
  .pair input { width: 100%; }
  .add { margin-top: 4px; }
  .remove { border: 0; background: none; font-size: 20px; color: var(--crowd-muted); }
`;

class V2Element extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open", slotAssignment: "manual" });
    this.shadowRoot.innerHTML = `<style>${V2_CSS}</style><div class="layout"><section class="main" part="main">
        <h2 class="header"></h2><div class="target prompt"></div><div class="body"></div>
        <div class="error" role="alert"></div></section>${instructionsMarkup()}</div>`;
    this._body = this.shadowRoot.querySelector(".body");
  }

  connectedCallback() {
    wireInstructions(this);
    const header = this.shadowRoot.querySelector(".header");
    header.textContent = this.getAttribute("header") || "";
    header.hidden = !header.textContent;
    this.shadowRoot.querySelector(".prompt").textContent = this.getAttribute("text") || "";
    this._render();
  }

  _fail(message) {
    this.shadowRoot.querySelector(".error").textContent = message;
    return message;
  }
}

export class CrowdTextRanking extends V2Element {
  get dimensions() {
    const raw = parseLiteral(this.getAttribute("ordinal-ranking-dimensions"), []);
    return (Array.isArray(raw) ? raw : []).map((d) => ({ name: String(d.name ?? d), allowTie: !!d.allowTie }));
  }

  get responses() {
    const raw = parseLiteral(this.getAttribute("responses"), []);
    return (Array.isArray(raw) ? raw : []).map(String);
  }

  _render() {
    const responses = this.responses;
    const options = responses.map((_, i) => `<option value="${i + 1}">${i + 1}</option>`).join("");
    this._body.innerHTML = this.dimensions
      .map(
        (dimension, d) => `<div class="dimension">${escapeHtml(dimension.name)}${dimension.allowTie ? "" : " · no ties"}</div>
        <table><thead><tr><th>Response</th><th>Rank (1 = best)</th></tr></thead><tbody>${responses
          .map(
            (response, r) => `<tr><td>${escapeHtml(response)}</td><td><select data-dimension="${d}" data-response="${r}"
              aria-label="${escapeHtml(dimension.name)} rank of response ${r + 1}"><option value="">–</option>${options}</select></td></tr>`,
          )
          .join("")}</tbody></table>`,
      )
      .join("");
  }

  _ranks(d) {
    return [...this._body.querySelectorAll(`select[data-dimension="${d}"]`)].map((select) => Number(select.value) || null);
  }

  crowdValue() {
    return {
      ordinalRankingDimensions: this.dimensions.map((dimension, d) => ({ name: dimension.name, responseRankings: this._ranks(d) })),
    };
  }

  crowdValidate() {
    for (const [d, dimension] of this.dimensions.entries()) {
      const ranks = this._ranks(d);
      if (ranks.includes(null)) return this._fail(`Rank every response for ${dimension.name}.`);
      if (!dimension.allowTie && new Set(ranks).size !== ranks.length) {
        return this._fail(`${dimension.name} allows no ties: give each response its own rank.`);
      }
    }
    return this._fail("");
  }
}

export class CrowdQuestionAnswerGeneration extends V2Element {
  _number(name, fallback) {
    const value = Number(this.getAttribute(name));
    return Number.isFinite(value) && this.hasAttribute(name) ? value : fallback;
  }

  get tags() {
    const raw = parseLiteral(this.getAttribute("question-tags"), []);
    return (Array.isArray(raw) ? raw : []).map(String);
  }

  _render() {
    if (this._pairs) return;
    this._pairs = [];
    this._body.innerHTML = `<div class="pairs"></div><button type="button" class="link add">+ Add a question</button>`;
    this._body.querySelector(".add").onclick = () => this._add();
    this._body.addEventListener("click", (event) => {
      const button = event.target.closest(".remove");
      if (button) {
        button.closest(".pair").remove();
      }
    });
    for (let i = 0; i < Math.max(1, this._number("min-questions", 1)); i += 1) this._add();
  }

  _add() {
    const list = this._body.querySelector(".pairs");
    if (list.children.length >= this._number("max-questions", 50)) return;
    const custom = booleanAttribute(this, "allow-custom-question-tags");
    const tags = this.tags.map((tag) => `<option>${escapeHtml(tag)}</option>`).join("");
    const row = document.createElement("div");
    row.className = "pair";
    row.innerHTML = `${custom ? `<input class="tag" list="qa-tags" placeholder="Tag" aria-label="Question tag">` : `<select class="tag" aria-label="Question tag"><option value="">Tag</option>${tags}</select>`}
      <input class="question" placeholder="Question" aria-label="Question">
      <input class="answer" placeholder="Answer" aria-label="Answer">
      <button type="button" class="remove" aria-label="Remove">×</button>`;
    if (custom && !this.shadowRoot.getElementById("qa-tags")) {
      const datalist = document.createElement("datalist");
      datalist.id = "qa-tags";
      datalist.innerHTML = tags;
      this.shadowRoot.append(datalist);
    }
    list.append(row);
  }

  crowdValue() {
    return {
      questionAnswerPairs: [...this._body.querySelectorAll(".pair")].map((row) => ({
        question: row.querySelector(".question").value.trim(),
        answer: row.querySelector(".answer").value.trim(),
        questionTag: row.querySelector(".tag").value.trim(),
      })),
    };
  }

  crowdValidate() {
    const pairs = this.crowdValue().questionAnswerPairs;
    const words = (text) => (text ? text.split(/\s+/).length : 0);
    if (pairs.length < this._number("min-questions", 1)) return this._fail("Add more questions.");
    for (const [index, pair] of pairs.entries()) {
      const q = words(pair.question);
      const a = words(pair.answer);
      if (q < this._number("question-min-words", 1) || q > this._number("question-max-words", 1000)) {
        return this._fail(`Question ${index + 1} needs ${this._number("question-min-words", 1)}-${this._number("question-max-words", 1000)} words.`);
      }
      if (a < this._number("answer-min-words", 1) || a > this._number("answer-max-words", 1000)) {
        return this._fail(`Answer ${index + 1} needs ${this._number("answer-min-words", 1)}-${this._number("answer-max-words", 1000)} words.`);
      }
    }
    return this._fail("");
  }
}
