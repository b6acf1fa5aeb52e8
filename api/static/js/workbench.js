// The curator workbench: a claim entered field by field, checked by POST /claims/validate
// as you type, the quote selected with the mouse in the source text (code-point offsets),
// candidate claims from POST /suggest, submit with a token kept in session storage, and a
// file of claims loaded one by one.
import { api, bindToken, codePoints, debounce, entityLookup, indexOfCodePoint } from "./common.js";

const form = document.getElementById("claim-form");
const view = document.getElementById("source-view");
const input = document.getElementById("source-input");
const summary = document.getElementById("form-summary");
const NO_EFFECT = { SMD: 0, MD: 0, r: 0, OR: 1, RR: 1, HR: 1 };
let candidates = [];

bindToken(document.getElementById("token"));
for (const el of form.querySelectorAll("[data-entity-input]")) entityLookup(el);

// The claim as JSON, from the form ---------------------------------------------------
function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)] = value;
}

export function claimFromForm() {
  const claim = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") {
      if (el.checked) setPath(claim, el.name, true);
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") continue;
    setPath(claim, el.name, el.type === "number" ? Number(raw) : el.value);
  }
  return claim;
}

function fillForm(claim) {
  for (const el of form.elements) {
    if (!el.name || el.name === "supersedes") continue;
    const value = el.name.split(".").reduce((node, key) => (node == null ? node : node[key]), claim);
    if (el.type === "checkbox") el.checked = Boolean(value);
    else el.value = value == null ? "" : String(value);
  }
  showNoEffect();
  validate();
}

// Violations beside their fields -----------------------------------------------------
function clearViolations() {
  for (const p of form.querySelectorAll(".violation")) p.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function placeFor(field) {
  let name = field || "other";
  while (name) {
    const p = document.getElementById("v-" + name);
    if (p) return p;
    const first = form.querySelector(`[data-field^="${name}."] .violation`);
    if (first) return first;
    name = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "";
  }
  return document.getElementById("v-other");
}

function showViolations(violations) {
  clearViolations();
  const serious = violations.filter((v) => v.severity === "violation");
  for (const v of violations) {
    const p = placeFor(v.field);
    const line = document.createElement("span");
    line.className = "severity-" + v.severity;
    line.textContent = (p.textContent ? " " : "") + v.message;
    p.append(line);
    const control = p.closest(".field")?.querySelector("input, select, textarea");
    if (control && v.severity === "violation") control.setAttribute("aria-invalid", "true");
  }
  summary.textContent = serious.length
    ? `${serious.length} problem${serious.length === 1 ? "" : "s"} to fix before submitting.`
    : violations.length
      ? "The claim conforms (see the warnings)."
      : "The claim conforms.";
}

const validate = debounce(async () => {
  const { response, data } = await api("POST", "/claims/validate", claimFromForm());
  if (response.ok && data) showViolations(data.violations);
  else if (data) showViolations([{ field: null, message: data.detail, severity: "violation" }]);
}, 350);

form.addEventListener("input", validate);
form.addEventListener("change", validate);

function showNoEffect() {
  const measure = document.getElementById("f-statistics.effect_measure").value;
  const out = document.getElementById("no-effect");
  out.textContent = measure in NO_EFFECT
    ? `No-effect value for ${measure}: ${NO_EFFECT[measure]} (${NO_EFFECT[measure] ? "a ratio: 1 means no difference" : "a difference: 0 means no difference"}).`
    : "No-effect value: choose a measure.";
}
document.getElementById("f-statistics.effect_measure").addEventListener("change", showNoEffect);

// The source text and the quote ------------------------------------------------------
function renderSource() {
  const text = input.value;
  const parts = [];
  let at = 0;
  const spans = candidates
    .filter((c) => c.claim.quote_position)
    .map((c) => ({
      start: indexOfCodePoint(text, c.claim.quote_position.start),
      end: indexOfCodePoint(text, c.claim.quote_position.end),
      c,
    }))
    .sort((a, b) => a.start - b.start);
  for (const span of spans) {
    if (span.start < at) continue;
    parts.push(document.createTextNode(text.slice(at, span.start)));
    const mark = document.createElement("span");
    mark.className = `cand finding-${span.c.claim.finding}${span.c.claim.hedged ? " hedged" : ""}`;
    mark.dataset.index = span.c.index;
    mark.title = `Candidate ${span.c.index + 1}: ${span.c.claim.finding}${span.c.claim.hedged ? ", hedged" : ""}`;
    mark.textContent = text.slice(span.start, span.end);
    parts.push(mark);
    at = span.end;
  }
  parts.push(document.createTextNode(text.slice(at)));
  view.replaceChildren(...parts);
}

input.addEventListener("input", () => {
  candidates = [];
  renderSource();
});

document.getElementById("source-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  input.value = await file.text();
  candidates = [];
  renderSource();
});

function selectionOffsets() {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!view.contains(range.startContainer) || !view.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(view, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const quote = range.toString();
  const start = codePoints(before.toString());
  return { quote, start, end: start + codePoints(quote) };
}

function takeSelection() {
  const found = selectionOffsets();
  if (!found) return;
  document.getElementById("f-quote").value = found.quote;
  document.getElementById("f-quote_position.start").value = found.start;
  document.getElementById("f-quote_position.end").value = found.end;
  validate();
}
view.addEventListener("mouseup", takeSelection);
// Without a mouse: the quote typed or pasted into its field, found in the text.
document.getElementById("find-quote").addEventListener("click", () => {
  const quote = document.getElementById("f-quote").value;
  const status = document.getElementById("find-status");
  const at = quote ? input.value.indexOf(quote) : -1;
  if (at < 0) {
    status.textContent = "Not found in the source text (it must match exactly, spaces and apostrophes included).";
    return;
  }
  const start = codePoints(input.value.slice(0, at));
  document.getElementById("f-quote_position.start").value = start;
  document.getElementById("f-quote_position.end").value = start + codePoints(quote);
  status.textContent = `Found at code point ${start}.`;
  validate();
});
view.addEventListener("keyup", takeSelection);

// Candidates from POST /suggest ----------------------------------------------------------
document.getElementById("suggest").addEventListener("click", async () => {
  const status = document.getElementById("suggest-status");
  const text = input.value;
  if (!text.trim()) {
    status.textContent = "Paste a text first.";
    return;
  }
  status.textContent = "Reading…";
  const source = claimFromForm().source;
  const { response, data } = await api(
    "POST",
    "/suggest",
    source && source.title && source.type ? { text, source } : { text },
    { auth: true },
  );
  if (!response.ok) {
    status.textContent = (data && data.detail) || `The server answered ${response.status}.`;
    return;
  }
  candidates = data.candidates;
  status.textContent = `${data.count} candidate claim${data.count === 1 ? "" : "s"} in ${data.sentences} sentences.`;
  renderSource();
  renderCandidates();
});

function renderCandidates() {
  const list = document.getElementById("candidates");
  list.replaceChildren(
    ...candidates.map((c) => {
      const li = document.createElement("li");
      li.className = `candidate finding-${c.claim.finding}`;
      li.id = "candidate-" + c.index;
      const head = document.createElement("p");
      const badge = document.createElement("span");
      badge.className = `cand finding-${c.claim.finding}`;
      badge.textContent = c.claim.finding + (c.claim.hedged ? " ~ hedged" : "");
      const what = document.createElement("span");
      what.textContent = ` ${c.claim.subject || "?"} ${c.claim.predicate || "?"} ${c.claim.object || "?"} · confidence ${c.confidence.toFixed(2)}`;
      head.append(badge, what);
      const quote = document.createElement("blockquote");
      quote.textContent = c.claim.quote || "";
      const why = document.createElement("details");
      const whySummary = document.createElement("summary");
      const problems = c.validation ? c.validation.violations.filter((v) => v.severity === "violation").length : 0;
      whySummary.textContent = `Why (${c.reasons.length} cues)${problems ? `; ${problems} field${problems === 1 ? "" : "s"} to fill` : ""}`;
      const reasons = document.createElement("ul");
      for (const r of c.reasons) {
        const item = document.createElement("li");
        item.textContent = `${r.field}: ${r.why}`;
        reasons.append(item);
      }
      why.append(whySummary, reasons);
      const accept = document.createElement("button");
      accept.type = "button";
      accept.textContent = "Accept into the form";
      accept.addEventListener("click", () => {
        fillForm(c.claim);
        document.getElementById("f-subject").focus();
      });
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "secondary";
      discard.textContent = "Discard";
      discard.addEventListener("click", () => {
        candidates = candidates.filter((x) => x !== c);
        renderSource();
        renderCandidates();
      });
      li.append(head, quote, why, accept, " ", discard);
      return li;
    }),
  );
}

// Submit -----------------------------------------------------------------------------
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { response, data } = await api("POST", "/claims", claimFromForm(), { auth: true });
  if (response.status === 201 || response.status === 200) {
    summary.textContent = "Stored. Opening the claim's page…";
    location.assign(response.headers.get("Location") || "/claims/" + data.id.split("/").pop());
    return;
  }
  if (data && data.violations) {
    showViolations(data.violations);
    return;
  }
  summary.textContent = (data && data.detail) || `The server answered ${response.status}.`;
  if (response.status === 401) document.getElementById("token").focus();
});

// A file of claims -------------------------------------------------------------------
document.getElementById("batch-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("batch-file").files[0];
  const results = document.getElementById("batch-results");
  const progress = document.getElementById("batch-progress");
  results.replaceChildren();
  if (!file) return;
  const text = await file.text();
  let claims;
  try {
    claims = text.trim().startsWith("[")
      ? JSON.parse(text)
      : text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  } catch (error) {
    const li = document.createElement("li");
    li.textContent = `The file is not JSON or JSON Lines: ${error.message}`;
    results.append(li);
    return;
  }
  progress.max = claims.length;
  progress.value = 0;
  for (const [i, claim] of claims.entries()) {
    const { response, data } = await api("POST", "/claims", claim, { auth: true });
    const li = document.createElement("li");
    if (response.status === 201 || response.status === 200) {
      li.className = "ok";
      const a = document.createElement("a");
      a.href = "/claims/" + data.id.split("/").pop();
      a.textContent = data.statement || data.id;
      li.append(`Claim ${i + 1}: ${response.status === 201 ? "stored" : "already stored"} — `, a);
    } else {
      li.className = "failed";
      const problems = data && data.violations
        ? data.violations.filter((v) => v.severity === "violation").map((v) => v.message).join("; ")
        : (data && data.detail) || `HTTP ${response.status}`;
      li.textContent = `Claim ${i + 1}: refused — ${problems}`;
    }
    results.append(li);
    progress.value = i + 1;
  }
});

// Supersede: the workbench opened from a claim page ----------------------------------
const supersedes = new URLSearchParams(location.search).get("supersedes");
if (supersedes) {
  const { response, data } = await api("GET", "/claims/" + encodeURIComponent(supersedes));
  if (response.ok) {
    fillForm(data);
    document.getElementById("f-supersedes").value = data.id;
    summary.textContent = "Correct the claim: when you submit, the new one supersedes the old (which is retracted, pointing to it).";
  }
}
showNoEffect();
