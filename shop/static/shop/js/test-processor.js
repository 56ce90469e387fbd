// The test payment processor's browser side. The card inputs have no name attribute, so the browser never
// submits them: this script turns the card into a token ("tok_test_<brand>_<last4>_<random>") and only the
// token, the brand and the last four digits are posted. Without JavaScript the page offers test tokens instead.
(function () {
  "use strict";
  function brandOf(number) {
    if (/^4/.test(number)) return "visa";
    if (/^(5[1-5]|2[2-7])/.test(number)) return "mastercard";
    if (/^3[47]/.test(number)) return "amex";
    return null;
  }
  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = parseInt(number.charAt(number.length - 1 - i), 10);
      if (i % 2) { digit *= 2; if (digit > 9) digit -= 9; }
      sum += digit;
    }
    return sum % 10 === 0;
  }
  function randomId() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("checkout-form");
    var card = document.getElementById("test-processor-card");
    var tokens = document.getElementById("test-tokens");
    if (!form || !card || !tokens) return;
    card.hidden = false;
    tokens.hidden = true;
    tokens.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "payment_token";
    form.appendChild(token);
    var number = document.getElementById("tp-number");
    var error = document.getElementById("tp-error");
    form.addEventListener("submit", function (event) {
      var digits = number.value.replace(/[\s-]/g, "");
      var brand = brandOf(digits);
      if (!/^[0-9]{13,19}$/.test(digits) || !luhn(digits) || !brand) {
        event.preventDefault();
        // The message is written in the page's language by the template (data-invalid-message).
        error.textContent = card.getAttribute("data-invalid-message") || "Please enter a valid test card number, for example 4242 4242 4242 4242.";
        number.setAttribute("aria-invalid", "true");
        number.focus();
        return;
      }
      var last4 = digits.slice(-4);
      token.value = digits === "4000000000000002" ? "tok_test_declined_" + randomId() : "tok_test_" + brand + "_" + last4 + "_" + randomId();
      form.querySelector("[name=card_brand]").value = brand;
      form.querySelector("[name=card_last4]").value = last4;
      // Nothing with a name holds the number, and the visible fields are cleared before the page is left.
      number.value = "";
      document.getElementById("tp-expiry").value = "";
      document.getElementById("tp-cvc").value = "";
    });
  });
})();
