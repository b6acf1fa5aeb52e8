// Claim page: retract with a curator token (kept in session storage).
import { api, bindToken } from "./common.js";

// The quote in view inside its source text.
const mark = document.getElementById("quote");
const region = mark && mark.closest(".source-text");
if (region && region.scrollHeight > region.clientHeight) {
  region.scrollTop += mark.getBoundingClientRect().top - region.getBoundingClientRect().top - 40;
}

const form = document.getElementById("retract-form");
if (form) {
  const tokenInput = document.getElementById("retract-token");
  bindToken(tokenInput);
  const result = form.querySelector(".result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = document.getElementById("retract-reason").value.trim();
    if (!reason) {
      result.textContent = "Give a reason.";
      return;
    }
    const { response, data } = await api(
      "POST",
      `/claims/${form.dataset.claim}/retract`,
      { reason },
      { auth: true },
    );
    if (response.ok) {
      location.reload();
    } else {
      result.textContent = (data && data.detail) || `The server answered ${response.status}.`;
    }
  });
}
