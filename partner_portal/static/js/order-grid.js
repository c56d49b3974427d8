/* The order grid (templates/distributors/matrix.html), answering in the browser:
   - totals per colour row, size column, style and order are added up here from the cells,
     only the edited style's cells are read again and the order's totals are running sums
     of the styles' (nothing searches the whole page), so an edit costs the same on a sheet
     of 17 styles or 300; the server checks everything again when the grid is saved;
   - a cell that is not a whole number, or not a multiple the brand asks for, is marked in
     place with its message (in the reader's language, from the form's data attributes);
   - arrows and Enter move between cells like a spreadsheet; a block copied from Excel
     (tab and newline separated) pasted into a cell fills the cells to its right and below;
   - what was typed is kept in the tab's sessionStorage until the server shows it saved, so
     a failed request or a reload never loses it;
   - a long sheet is drawn in batches: the server sends the first styles, and the next
     batch is fetched (htmx, the "more" block's button) before the buyer scrolls to it. */
(function () {
  "use strict";
  var form = document.getElementById("matrix");
  if (!form) {
    return;
  }
  var data = form.dataset;
  var multiple = parseInt(data.multiple || "0", 10) || 0;
  var minimum = parseInt(data.minimum || "0", 10) || 0;
  var pieces = new Intl.NumberFormat(data.locale);
  var money = null;
  try {
    money = new Intl.NumberFormat(data.locale, {style: "currency", currency: data.currency});
  } catch (error) {
    money = null;
  }
  var WHOLE = /^\s*[0-9][0-9,]*\s*$/;
  var MAX = 1000000;

  function text(id, value) {
    var element = document.getElementById(id);
    if (element && element.textContent !== value) {
      element.textContent = value;
    }
  }

  /* The quantity a cell holds, or null when it holds something that is not one. */
  function quantityOf(input) {
    var value = input.value.trim();
    if (value === "") {
      return 0;
    }
    if (!WHOLE.test(value)) {
      return null;
    }
    var number = parseInt(value.replace(/,/g, ""), 10);
    return number > MAX ? null : number;
  }

  function markCell(input, message) {
    var cell = input.parentNode;
    var shown = cell.querySelector(".cell-error");
    if (!message) {
      if (input.hasAttribute("aria-invalid")) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
      if (shown) {
        shown.remove();
      }
      return;
    }
    if (!shown) {
      shown = document.createElement("span");
      shown.className = "cell-error";
      shown.id = "e-" + input.name.slice(2);
      cell.appendChild(shown);
    }
    shown.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", shown.id);
  }

  /* Percent off a style's prices for a quantity, from its volume breaks "10:5,50:10". */
  function discount(section, quantity) {
    var percent = 0;
    (section.dataset.breaks || "").split(",").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2 && quantity >= parseInt(parts[0], 10)) {
        percent = parseFloat(parts[1]);
      }
    });
    return percent;
  }

  var styleTotals = {}; // style id -> {pieces, value, unpriced}
  /* The sums of styleTotals: an edit takes its style's old figures out and puts the new
     ones in. Searching the page for them cost an edit 3 ms on a sheet of 300 styles. */
  var order = {pieces: 0, value: 0, unpriced: 0};
  var problems = {}; // style id -> the first message among its cells, for styles with one

  function addToOrder(style, sign) {
    order.pieces += sign * style.pieces;
    order.value += sign * style.value;
    order.unpriced += sign * style.unpriced;
  }

  /* Read one style's cells again: their messages, and the row, column and style totals. */
  function recountStyle(section) {
    var id = section.dataset.style;
    var rows = {};
    var columns = {};
    var total = 0;
    var value = 0;
    var priced = true;
    var problem = "";
    var inputs = section.querySelectorAll("input.qty");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var quantity = quantityOf(input);
      var colour = input.closest("tr").dataset.colour;
      var size = input.dataset.size;
      var message = "";
      if (quantity === null) {
        message = data.msgWhole;
        quantity = 0;
      } else if (multiple && quantity % multiple) {
        message = data.msgMultiple;
      }
      markCell(input, message);
      problem = problem || message;
      rows[colour] = (rows[colour] || 0) + quantity;
      columns[size] = (columns[size] || 0) + quantity;
      total += quantity;
      if (quantity) {
        if (input.dataset.price === "") {
          priced = false;
        } else {
          value += quantity * parseFloat(input.dataset.price);
        }
      }
    }
    Object.keys(rows).forEach(function (colour) {
      text("rt-" + id + "-" + colour, pieces.format(rows[colour]));
    });
    Object.keys(columns).forEach(function (size) {
      text("ct-" + id + "-" + size, pieces.format(columns[size]));
    });
    // The contract's discount, then the volume break, as the order prices its lines.
    value = value * (1 - parseFloat(section.dataset.contract || "0") / 100) *
      (1 - discount(section, total) / 100);
    if (styleTotals[id]) {
      addToOrder(styleTotals[id], -1);
    }
    styleTotals[id] = {pieces: total, value: value, unpriced: priced ? 0 : 1};
    addToOrder(styleTotals[id], 1);
    if (problem) {
      problems[id] = problem;
    } else {
      delete problems[id];
    }
    text("sq-" + id, pieces.format(total));
    text("sm-" + id, minimum && total && total < minimum ? data.msgMinimum : "");
    text("sv-" + id, total && priced && money ? money.format(value) : "—");
  }

  /* The order's totals in the summary; its message quotes the edited style's first
     problem, else another style's. */
  function showOrderTotals(editedStyle) {
    text("order-quantity", pieces.format(order.pieces));
    text("order-value", order.pieces && !order.unpriced && money ? money.format(order.value) : "—");
    var problem = problems[editedStyle] || problems[Object.keys(problems)[0]];
    text("grid-invalid", problem ? data.msgInvalid + problem : "");
  }

  /* ---- what was typed, kept until the server shows it saved ---- */
  var storageKey = "threadline-grid:" + data.gridKey;
  var typed = {}; // cell name -> text, for the cells that are not empty

  function readStored(key) {
    try {
      return JSON.parse(window.sessionStorage.getItem("threadline-grid:" + key) || "null");
    } catch (error) {
      return null;
    }
  }

  function store(sent) {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify({values: typed, sent: sent}));
    } catch (error) {
      /* a full or forbidden storage: the grid still works, it only cannot keep a copy */
    }
  }

  function sameAsTyped(values) {
    var names = Object.keys(values);
    if (names.length !== Object.keys(typed).length) {
      return false;
    }
    return names.every(function (name) {
      return typed[name] === values[name];
    });
  }

  function putBack(values) {
    var drawn = {};
    form.querySelectorAll("input.qty").forEach(function (input) {
      input.value = values[input.name] || "";
      drawn[input.name] = true;
    });
    typed = Object.assign({}, values);
    form.querySelectorAll(".matrix-style").forEach(recountStyle);
    showOrderTotals();
    store(false);
    // Quantities of styles not drawn yet: draw every batch, so that they are seen and sent.
    if (Object.keys(values).some(function (name) { return !drawn[name]; })) {
      drawEverything = true;
      form.querySelectorAll(".grid-more button").forEach(fetchBatch);
    }
  }

  /* ---- a long sheet drawn in batches ---- */
  var drawEverything = false;

  function fetchBatch(button) {
    if (window.htmx) {
      window.htmx.trigger(button, "grid-near");
    }
  }

  var near = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        near.unobserve(entry.target);
        fetchBatch(entry.target.querySelector("button"));
      }
    });
  }, {rootMargin: "1500px 0px"}) : null;

  /* A batch of styles arrived: its cells take what was typed there before (a put-back
     copy), its totals are counted; the next batch is fetched when it comes near. */
  function drawn(root) {
    var sections = root.matches(".matrix-style") ? [root] : root.querySelectorAll(".matrix-style");
    Array.prototype.forEach.call(sections, function (section) {
      section.querySelectorAll("input.qty").forEach(function (input) {
        if (typed[input.name] && input.value === "") {
          input.value = typed[input.name];
        }
      });
      recountStyle(section);
    });
    if (sections.length) {
      showOrderTotals();
    }
    var more = root.matches(".grid-more") ? [root] : root.querySelectorAll(".grid-more");
    Array.prototype.forEach.call(more, function (block) {
      if (drawEverything) {
        fetchBatch(block.querySelector("button"));
      } else if (near) {
        near.observe(block);
      }
    });
  }

  document.addEventListener("htmx:load", function (event) {
    var root = event.detail && event.detail.elt;
    if (root && root.nodeType === 1 && (root === document.body || form.contains(root))) {
      drawn(root);
    }
  });

  form.querySelectorAll("input.qty").forEach(function (input) {
    if (input.value.trim() !== "") {
      typed[input.name] = input.value;
    }
  });
  form.querySelectorAll(".matrix-style").forEach(recountStyle);
  showOrderTotals();

  var stored = readStored(data.gridKey);
  var notice = document.getElementById("grid-restore");
  if (data.saved) {
    // The page shows the draft as saved: a copy equal to it has done its work.
    [data.gridKey, data.newKey].forEach(function (key) {
      var copy = readStored(key);
      if (copy && sameAsTyped(copy.values)) {
        window.sessionStorage.removeItem("threadline-grid:" + key);
      }
    });
    stored = readStored(data.gridKey);
  }
  if (stored && !sameAsTyped(stored.values) && notice) {
    var message = notice.querySelector("span");
    var button = notice.querySelector("[data-put-back]");
    if (stored.sent) {
      // Sent but maybe never arrived (a network error): offer, never overwrite unasked.
      message.textContent = message.dataset.offerText;
      button.addEventListener("click", function () {
        putBack(stored.values);
        notice.hidden = true;
      });
    } else {
      putBack(stored.values);
      message.textContent = message.dataset.restoredText;
      button.hidden = true;
    }
    notice.hidden = false;
  }

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("qty")) {
      return;
    }
    if (input.value.trim() === "") {
      delete typed[input.name];
    } else {
      typed[input.name] = input.value;
    }
    var section = input.closest(".matrix-style");
    recountStyle(section);
    showOrderTotals(section.dataset.style);
    store(false);
    setAsideChecks();
  });

  /* The server's findings (rules, prices) describe the grid as it was sent: once a cell
     changes they are put aside, and the page says the next save checks again. */
  function setAsideChecks() {
    var stale = document.getElementById("findings-stale");
    if (stale && stale.hidden) {
      document.getElementById("matrix-findings").hidden = true;
      stale.hidden = false;
    }
  }
  form.addEventListener("submit", function () {
    store(true);
  });

  /* ---- spreadsheet keys ---- */
  function cellsOf(table) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) {
        return cell.querySelector("input.qty");
      });
    });
  }

  function move(input, rowStep, columnStep) {
    var table = input.closest("table");
    var cells = cellsOf(table);
    var row = input.closest("tr").sectionRowIndex;
    var column = input.closest("td").cellIndex;
    for (var r = row + rowStep, c = column + columnStep;
      r >= 0 && r < cells.length && c > 0 && c < cells[r].length;
      r += rowStep, c += columnStep) {
      if (cells[r][c]) {
        cells[r][c].focus();
        cells[r][c].select();
        return;
      }
    }
    // Past the last colour, down and up lead to the next or the previous style's grid.
    if (columnStep === 0) {
      var tables = Array.prototype.slice.call(form.querySelectorAll("table.grid"));
      var next = tables[tables.indexOf(table) + rowStep];
      if (next) {
        var nextCells = cellsOf(next);
        var line = nextCells[rowStep > 0 ? 0 : nextCells.length - 1] || [];
        var target = line[Math.min(column, line.length - 1)] || line.filter(Boolean)[0];
        if (target) {
          target.focus();
          target.select();
        }
      }
    }
  }

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("qty") || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var steps = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
    var step = steps[event.key];
    if (event.key === "Enter") {
      step = event.shiftKey ? [-1, 0] : [1, 0];
    }
    if (!step) {
      return;
    }
    event.preventDefault();
    move(input, step[0], step[1]);
  });

  form.addEventListener("paste", function (event) {
    var cell = event.target;
    if (!cell.classList || !cell.classList.contains("qty")) {
      return;
    }
    var pasted = (event.clipboardData || window.clipboardData).getData("text");
    if (pasted.indexOf("\t") < 0 && pasted.indexOf("\n") < 0) {
      return;
    }
    event.preventDefault();
    var cells = cellsOf(cell.closest("table"));
    var startRow = cell.closest("tr").sectionRowIndex;
    var startColumn = cell.closest("td").cellIndex;
    pasted.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, r) {
      line.split("\t").forEach(function (value, c) {
        var target = cells[startRow + r] && cells[startRow + r][startColumn + c];
        if (target) {
          target.value = value.trim();
          if (target.value === "") {
            delete typed[target.name];
          } else {
            typed[target.name] = target.value;
          }
        }
      });
    });
    cell.dispatchEvent(new Event("input", {bubbles: true}));
  });
})();
