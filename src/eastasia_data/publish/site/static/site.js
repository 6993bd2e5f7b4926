// Facets of a table page: show only the rows whose columns hold the chosen values.
(function () {
  var form = document.querySelector("form.facets");
  if (!form) { return; }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.rows tbody tr"));
  var shown = form.querySelector("output.shown");
  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var keep = selects.every(function (s) {
        return s.value === "" || row.getAttribute("data-" + s.getAttribute("data-facet").replace(/_/g, "-")) === s.value;
      });
      row.hidden = !keep;
      if (keep) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " rows shown";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
