/* Line sheets: a card's thumbnail shows that picture large. The cards themselves, the
   next page as the buyer scrolls (hx-trigger="intersect once") and the cart are htmx's work. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var thumb = event.target.closest && event.target.closest(".sheet-thumbs [data-picture]");
    if (!thumb) {
      return;
    }
    var card = thumb.closest(".sheet-style");
    var main = card && card.querySelector("img.sheet-main");
    if (main) {
      main.src = thumb.getAttribute("data-picture");
      card.querySelectorAll(".sheet-thumbs [data-picture]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === thumb ? "true" : "false");
      });
    }
  });
})();
