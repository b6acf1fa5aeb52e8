// Query page: CodeMirror (vendored) with SPARQL highlighting and prefix completion; the
// error's line marked. The plain textarea and form work without it.
const textarea = document.getElementById("query");
const form = document.getElementById("query-form");
const PREFIXES = JSON.parse(document.getElementById("prefixes")?.textContent || "{}");

function prefixHint(cm) {
  const cursor = cm.getCursor();
  const line = cm.getLine(cursor.line);
  let start = cursor.ch;
  while (start > 0 && /[\w-]/.test(line.charAt(start - 1))) start--;
  const word = line.slice(start, cursor.ch).toLowerCase();
  const declaring = /^\s*prefix\s+$/i.test(line.slice(0, start));
  const list = Object.entries(PREFIXES)
    .filter(([p]) => p.toLowerCase().startsWith(word))
    .map(([p, iri]) => ({
      text: declaring ? `${p}: <${iri}>` : `${p}:`,
      displayText: `${p}: <${iri}>`,
    }));
  if (!declaring && /^\s*$/.test(line.slice(0, start))) {
    for (const [p, iri] of Object.entries(PREFIXES)) {
      if (p.toLowerCase().startsWith(word)) {
        list.push({ text: `PREFIX ${p}: <${iri}>`, displayText: `PREFIX ${p}: <${iri}>` });
      }
    }
  }
  return { list, from: window.CodeMirror.Pos(cursor.line, start), to: cursor };
}

if (textarea && window.CodeMirror) {
  const cm = window.CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query",
    lineNumbers: true,
    viewportMargin: Infinity,
    lineWrapping: true,
    extraKeys: {
      "Ctrl-Space": (editor) => editor.showHint({ hint: prefixHint, completeSingle: false }),
      "Ctrl-Enter": () => form.requestSubmit(),
      "Cmd-Enter": () => form.requestSubmit(),
      Tab: false,
      "Shift-Tab": false,
    },
  });
  cm.getInputField().setAttribute("aria-label", "SPARQL query");
  // The editor's scroller can be reached by keyboard (axe: scrollable-region-focusable).
  cm.getScrollerElement().setAttribute("tabindex", "0");
  cm.getScrollerElement().setAttribute("aria-label", "SPARQL query (scroll)");
  cm.getInputField().setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
  cm.on("inputRead", (editor, change) => {
    if (change.text[0] === ":" || /^\s*PREFIX\s+\w*$/i.test(editor.getLine(change.from.line))) {
      editor.showHint({ hint: prefixHint, completeSingle: false });
    }
  });
  const error = document.getElementById("query-error");
  const line = error && Number(error.dataset.line);
  if (line) {
    cm.addLineClass(line - 1, "background", "cm-error-line");
    cm.setCursor({ line: line - 1, ch: Math.max(0, Number(error.dataset.column || 1) - 1) });
  }
  form.addEventListener("submit", () => cm.save());
}
