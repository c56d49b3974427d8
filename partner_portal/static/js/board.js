/* The pipeline board: drag a card onto another column to move it, with the same move
   form its buttons send. */
(function () {
  "use strict";

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (card) {
      event.dataTransfer.setData("text/plain", card.dataset.move);
    }
  });

  document.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest(".board-column[data-stage]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column[data-stage]");
    var url = event.dataTransfer.getData("text/plain");
    if (!column || !url) {
      return;
    }
    event.preventDefault();
    var card = document.querySelector('.deal-card[data-move="' + url + '"]');
    if (column.dataset.stage === "lost") {
      window.location = url.replace("/move", "");
      return;
    }
    htmx.ajax("POST", url, {
      target: "#board",
      source: "#board-filters",
      values: {stage: column.dataset.stage, version: card.dataset.version, from: "board"}
    });
  });
})();
