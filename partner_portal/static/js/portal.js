/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can
   forbid inline scripts and event handlers:
   - <button data-print> prints the page;
   - <input data-select-on-focus> selects its text when focused (links and tokens to copy);
   - <form data-confirm="question"> asks before it is sent;
   - <form data-busy="Working…"> shows that it was sent and is being worked on (issuing a
     contract takes seconds): its submit button is disabled and says so, the form is
     aria-busy, so nobody presses twice or wonders whether anything happens;
   - <input data-search-in-place> (the partner picker's search field) searches as it is
     typed: Enter must not send its page-loading form, which is only for browsers without
     scripts and would lose what was typed into the rest of the page. */
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

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches &&
        event.target.matches("input[data-search-in-place]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", selectText);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // After the capture-phase confirmation above, and only for a form really sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var busy = form.getAttribute && form.getAttribute("data-busy");
    if (!busy || event.defaultPrevented) {
      return;
    }
    form.setAttribute("aria-busy", "true");
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      // Disabled after this turn, so the button's own name and value are still sent.
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = busy;
      }, 0);
    });
  });
})();
