/* The pipeline board: drag a card onto another column to move it, as its own move buttons
   do. Only a card of this board can be dropped: the drag carries the card's id under a
   type of our own, and the drop looks that card up on the page and builds its address
   from the id. A text or link dropped from elsewhere (a "javascript:" address, a URL of
   another page) carries no such card, and nothing happens. */
(function () {
  "use strict";
  var CARD_TYPE = "application/x-threadline-opportunity";
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  function column(event) {
    return event.target.closest && event.target.closest(".board-column[data-stage]");
  }

  function cardOnThisBoard(id) {
    if (!UUID.test(id)) {
      return null;
    }
    return document.querySelector('.deal-card[data-opportunity="' + id + '"]');
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest('.deal-card[draggable="true"]');
    if (card) {
      event.dataTransfer.setData(CARD_TYPE, card.dataset.opportunity);
      event.dataTransfer.effectAllowed = "move";
    }
  });

  document.addEventListener("dragover", function (event) {
    if (column(event) && Array.prototype.indexOf.call(event.dataTransfer.types, CARD_TYPE) >= 0) {
      event.preventDefault();
    }
  });

  document.addEventListener("drop", function (event) {
    var target = column(event);
    if (!target) {
      return;
    }
    event.preventDefault();
    var card = cardOnThisBoard(event.dataTransfer.getData(CARD_TYPE));
    if (!card) {
      return;
    }
    var page = "/sales/opportunities/" + card.dataset.opportunity;
    if (target.dataset.stage === "lost") {
      // A lost deal needs its reason: the opportunity's page asks for it.
      window.location.assign(page + "#close");
      return;
    }
    htmx.ajax("POST", page + "/move", {
      target: "#board",
      source: "#board-filters",
      values: {stage: target.dataset.stage, version: card.dataset.version, from: "board"}
    });
  });
})();
