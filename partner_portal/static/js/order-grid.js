/* The order grid: a block pasted into a cell (copied from a spreadsheet) fills the cells
   to its right and below, then the totals update as after typing. */
(function () {
  "use strict";
  var grid = document.getElementById("matrix");
  if (!grid) {
    return;
  }
  grid.addEventListener("paste", function (event) {
    var cell = event.target;
    if (!cell.classList || !cell.classList.contains("qty")) {
      return;
    }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) {
      return;
    }
    event.preventDefault();
    var table = cell.closest("table");
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return Array.prototype.slice.call(row.cells, 1);
    });
    var startRow = cell.closest("tr").sectionRowIndex;
    var startCol = Array.prototype.indexOf.call(cell.closest("tr").cells, cell.closest("td")) - 1;
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, r) {
      line.split("\t").forEach(function (value, c) {
        var target = rows[startRow + r] && rows[startRow + r][startCol + c];
        var input = target && target.querySelector("input.qty");
        if (input) {
          input.value = value.trim();
        }
      });
    });
    cell.dispatchEvent(new Event("input", {bubbles: true}));
  });
})();
