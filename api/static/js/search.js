// Home page: results as you type (the form still works without JavaScript).
import { api, debounce, entityLookup } from "./common.js";

const input = document.querySelector("[data-live-search]");
const hits = document.getElementById("hits");
if (input && hits) {
  const search = debounce(async () => {
    const q = input.value.trim();
    if (!q) return;
    const { response, data } = await api("GET", "/entities?limit=30&q=" + encodeURIComponent(q));
    if (!response.ok || !data) return;
    const heading = document.createElement("h2");
    heading.textContent = `${data.count} ${data.count === 1 ? "entity" : "entities"} for “${q}”`;
    const list = document.createElement("ol");
    list.className = "hits";
    for (const hit of data.data) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/entities/" + encodeURIComponent(hit.id).replace("%3A", ":");
      a.textContent = hit.label;
      const kinds = document.createElement("span");
      kinds.className = "kinds";
      for (const t of hit.types) {
        const k = document.createElement("span");
        k.className = "kind";
        k.textContent = t.split(":").pop();
        kinds.append(k);
      }
      const id = document.createElement("span");
      id.className = "meta";
      id.textContent = hit.match === "synonym" ? `matched “${hit.matched}” · ${hit.id}` : hit.id;
      li.append(a, " ", kinds, " ", id);
      list.append(li);
    }
    hits.replaceChildren(heading, list);
    history.replaceState(null, "", "/?q=" + encodeURIComponent(q));
  }, 250);
  input.addEventListener("input", search);
}
for (const el of document.querySelectorAll("[data-entity-input]")) entityLookup(el);
