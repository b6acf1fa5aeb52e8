// Claim page: retract with a curator token (kept in session storage).
import { api, bindToken } from "./common.js";

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
