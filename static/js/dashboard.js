// caseapp — the home dashboard's charts (caseapp/main/dashboard.py, templates/main/_dashboard.html).
// Chart.js v4.5.1 (MIT, static/js/vendor/chart.umd.min.js, LICENSE in chart.js.LICENSE.md) draws the
// data of <script type="application/json" id="dashboard-data">; no inline script (CSP). The tables
// next to each chart hold the same numbers and links, so the page works without JavaScript.
(function () {
  "use strict";

  var COLORS = { bar: "#0b5cab", line: "#b3261e" };

  function draw(canvas, spec) {
    var color = COLORS[spec.type] || COLORS.bar;
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: [{
          label: spec.label, data: spec.values, backgroundColor: spec.type === "line" ? color : color + "cc",
          borderColor: color, borderWidth: 2, tension: 0, pointRadius: 4, fill: false
        }]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { autoSkip: true, maxRotation: 45 } } },
        // a bar or a point opens the list with the same count, like the number in the table
        onClick: function (_event, elements) {
          if (elements.length && spec.urls && spec.urls[elements[0].index]) {
            window.location.href = spec.urls[elements[0].index];
          }
        }
      }
    });
    canvas.dataset.drawn = "1";
    return chart;
  }

  function init() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    if (!data) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = data[canvas.dataset.chart];
      if (spec) {
        canvas.parentNode.classList.add("dash-chart-on");  // shown only when drawn (no empty box without JS)
        draw(canvas, spec);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
