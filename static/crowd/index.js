// Registers every crowd element, then tells the page they are ready
// (`all-crowd-elements-ready` on document, as Ground Truth's library does).
import { CrowdClassifier, CrowdClassifierMultiSelect } from "./classifier.js";
import { CrowdEntityAnnotation } from "./entity.js";
import { CrowdButton, CrowdForm } from "./form.js";
import {
  CrowdCheckbox,
  CrowdInput,
  CrowdRadioButton,
  CrowdRadioGroup,
  CrowdSlider,
  CrowdSliderLabel,
  CrowdTextArea,
  CrowdToggleButton,
} from "./inputs.js";
import {
  ClassificationTarget,
  CrowdAlert,
  CrowdBadge,
  CrowdCard,
  CrowdInstructions,
  CrowdTab,
  CrowdTabs,
  FullInstructions,
  ShortInstructions,
} from "./layout.js";

// Leaves before containers, crowd-form last: it moves its children into a <form>.
const ELEMENTS = [
  ["short-instructions", ShortInstructions],
  ["full-instructions", FullInstructions],
  ["classification-target", ClassificationTarget],
  ["crowd-button", CrowdButton],
  ["crowd-input", CrowdInput],
  ["crowd-text-area", CrowdTextArea],
  ["crowd-checkbox", CrowdCheckbox],
  ["crowd-toggle-button", CrowdToggleButton],
  ["crowd-radio-button", CrowdRadioButton],
  ["crowd-radio-group", CrowdRadioGroup],
  ["crowd-slider-label", CrowdSliderLabel],
  ["crowd-slider", CrowdSlider],
  ["crowd-card", CrowdCard],
  ["crowd-alert", CrowdAlert],
  ["crowd-badge", CrowdBadge],
  ["crowd-instructions", CrowdInstructions],
  ["crowd-tab", CrowdTab],
  ["crowd-tabs", CrowdTabs],
  ["crowd-classifier", CrowdClassifier],
  ["crowd-classifier-multi-select", CrowdClassifierMultiSelect],
  ["crowd-entity-annotation", CrowdEntityAnnotation],
  ["crowd-form", CrowdForm],
];

for (const [name, element] of ELEMENTS) {
  if (!customElements.get(name)) customElements.define(name, element);
}

window.crowdElementsReady = true;
document.dispatchEvent(new Event("all-crowd-elements-ready"));
