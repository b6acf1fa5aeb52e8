// Shared by the page modules: the curator token (session storage only), JSON calls,
// a debounce, and code-point offsets.
const TOKEN_KEY = "gbkg-curator-token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function bindToken(input) {
  if (!input) return;
  input.value = token();
  input.addEventListener("input", () => sessionStorage.setItem(TOKEN_KEY, input.value));
}

export async function api(method, url, body, { auth = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth) headers.Authorization = "Bearer " + token();
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) data = await response.json();
  return { response, data };
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The number of code points in a string (a surrogate pair is one). */
export function codePoints(text) {
  return Array.from(text).length;
}

/** The UTF-16 index of code point ``cp`` of ``text``. */
export function indexOfCodePoint(text, cp) {
  let index = 0;
  for (let i = 0; i < cp && index < text.length; i++) {
    const code = text.codePointAt(index);
    index += code > 0xffff ? 2 : 1;
  }
  return index;
}

/** Entity suggestions for an input with a datalist, as the user types. */
export function entityLookup(input) {
  let list = input.list;
  if (!list) {
    list = document.createElement("datalist");
    list.id = "dl-" + input.id;
    input.after(list);
    input.setAttribute("list", list.id);
  }
  const look = debounce(async () => {
    const q = input.value.trim();
    if (q.length < 2 || /^[A-Za-z]+:\S+$/.test(q)) return;
    const { response, data } = await api("GET", "/entities?limit=10&q=" + encodeURIComponent(q));
    if (!response.ok || !data) return;
    list.replaceChildren(
      ...data.data.map((hit) => {
        const option = document.createElement("option");
        option.value = hit.id;
        option.label = `${hit.label} (${hit.types.map((t) => t.split(":").pop()).join(", ")})`;
        option.textContent = option.label;
        return option;
      }),
    );
  }, 200);
  input.addEventListener("input", look);
}
