// Registers every crowd element, then tells the page they are ready
// (`all-crowd-elements-ready` on document, as Ground Truth's library does).
import { CrowdRekognitionDetectModerationLabels, CrowdTextractAnalyzeDocument } from "./a2i.js";
import { CrowdClassifier, CrowdClassifierMultiSelect } from "./classifier.js";
import { CrowdEntityAnnotation } from "./entity.js";
import { CrowdButton, CrowdForm } from "./form.js";
import { CrowdImageClassifier, CrowdImageClassifierMultiSelect } from "./image-classifier.js";
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
import { CrowdInstanceSegmentation, CrowdSemanticSegmentation } from "./segmentation.js";
import { CrowdBoundingBox, CrowdKeypoint, CrowdLine, CrowdPolygon, CrowdPolyline } from "./shapes.js";
import { CrowdQuestionAnswerGeneration, CrowdTextRanking } from "./v2.js";
import { CrowdVideoFrames } from "./video.js";

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
  ["crowd-image-classifier", CrowdImageClassifier],
  ["crowd-image-classifier-multi-select", CrowdImageClassifierMultiSelect],
  ["crowd-bounding-box", CrowdBoundingBox],
  ["crowd-polygon", CrowdPolygon],
  ["crowd-line", CrowdLine],
  ["crowd-polyline", CrowdPolyline],
  ["crowd-keypoint", CrowdKeypoint],
  ["crowd-semantic-segmentation", CrowdSemanticSegmentation],
  ["crowd-instance-segmentation", CrowdInstanceSegmentation],
  ["crowd-video-frames", CrowdVideoFrames],
  ["crowd-rekognition-detect-moderation-labels", CrowdRekognitionDetectModerationLabels],
  ["crowd-textract-analyze-document", CrowdTextractAnalyzeDocument],
  ["crowd-text-ranking", CrowdTextRanking],
  ["crowd-question-answer-generation", CrowdQuestionAnswerGeneration],
  ["crowd-form", CrowdForm],
];

for (const [name, element] of ELEMENTS) {
  if (!customElements.get(name)) customElements.define(name, element);
}

// Elements this version does not implement yet would
// silently show nothing: say so at the top of the task instead.
const missing = new Set(
  Array.from(document.querySelectorAll("*"), (element) => element.localName).filter(
    (name) => name.startsWith("crowd-") && !customElements.get(name),
  ),
);
if (missing.size) {
  const alert = document.createElement("crowd-alert");
  alert.setAttribute("type", "warning");
  alert.className = "crowd-unsupported";
  alert.textContent = `This task uses ${Array.from(missing, (name) => `<${name}>`).join(", ")}, which this version of the task UI does not support yet.`;
  document.body.prepend(alert);
}

window.crowdElementsReady = true;
document.dispatchEvent(new Event("all-crowd-elements-ready"));
