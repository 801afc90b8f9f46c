/*
 * Staff triage page behaviour. First line of privacy: personal data is masked here, in the
 * browser, before the question is sent (the server masks again with knowledge.pii).
 * Also: referral clicks are recorded without reloading, and the print button.
 * The page works without this script (plain form posts); then only the server masks.
 */
(function () {
  "use strict";

  // Order matters: e-mail and IBAN before phone and BSN, so their digits are not split.
  var PATTERNS = [
    { label: "e-mailadres", token: "[E-MAIL]", re: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g },
    { label: "rekeningnummer", token: "[IBAN]", re: /\b[A-Z]{2}\s?\d{2}(?:[\s.-]?[A-Z0-9]){11,30}\b/gi },
    {
      label: "telefoonnummer",
      token: "[TELEFOON]",
      re: /(?:\+31|0031|\b0)[\s.-]?(?:\(0\)[\s.-]?)?\d(?:[\s.\/-]{0,2}\d){8}\b/g,
    },
    { label: "BSN", token: "[BSN]", re: /\b\d{4}\.\d{2}\.\d{3}\b|\b\d{3}[\s.-]?\d{3}[\s.-]?\d{3}\b/g },
    { label: "postcode", token: "[POSTCODE]", re: /\b[1-9]\d{3}\s?(?!SA\b|SD\b|SS\b)[A-Z]{2}\b/g },
  ];

  function mask(text) {
    var found = [];
    var masked = text;
    PATTERNS.forEach(function (p) {
      var next = masked.replace(p.re, p.token);
      if (next !== masked && found.indexOf(p.label) === -1) found.push(p.label);
      masked = next;
    });
    return { text: masked, found: found };
  }

  window.WegwijzerStaffMask = mask; // exposed for the browser tests

  function setupTriageForm() {
    var form = document.getElementById("triage-form");
    if (!form) return;
    var field = document.getElementById("text");
    var status = document.getElementById("mask-status");
    form.addEventListener("submit", function () {
      var result = mask(field.value);
      if (result.found.length) {
        field.value = result.text;
        status.textContent = "Weggehaald voor verzenden: " + result.found.join(", ") + ".";
      }
    });
  }

  function setupReferrals() {
    var status = document.getElementById("referral-status");
    Array.prototype.forEach.call(document.querySelectorAll(".referral-form"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button");
        var data = new FormData(form);
        button.disabled = true;
        fetch(form.action, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": data.get("csrf") },
        })
          .then(function (response) {
            return response.json().then(function (body) {
              return { ok: response.ok, body: body };
            });
          })
          .then(function (r) {
            if (r.ok) {
              button.textContent = "Vastgelegd: " + (data.get("target_name") || data.get("target"));
              status.textContent = r.body.status;
            } else {
              button.disabled = false;
              status.textContent = r.body.error || "Het vastleggen is niet gelukt.";
            }
          })
          .catch(function () {
            button.disabled = false;
            status.textContent = "Het vastleggen is niet gelukt. Probeer het opnieuw.";
          });
      });
    });
  }

  function setupPrint() {
    var button = document.getElementById("print-button");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }

  function focusOutcome() {
    var target = document.getElementById("fout") || document.getElementById("resultaat");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  setupTriageForm();
  setupReferrals();
  setupPrint();
  focusOutcome();
})();
