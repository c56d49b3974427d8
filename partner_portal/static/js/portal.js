/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can
   forbid inline scripts and event handlers:
   - <button data-print> prints the page;
   - <input data-select-on-focus> selects its text when focused (links and tokens to copy);
   - <form data-confirm="question"> asks before it is sent. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  function selectText(event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-select-on-focus]")) {
      input.select();
    }
  }
  document.addEventListener("focusin", selectText);
  document.addEventListener("click", selectText);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
