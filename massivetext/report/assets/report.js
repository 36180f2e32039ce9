// Draws every figure of the JSON data block with Plotly; the page holds no other script.
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("figures").textContent);
  var config = { displayModeBar: false, responsive: true };
  var drawn = Object.keys(figures).map(function (id) {
    var element = document.getElementById(id);
    if (!element) { return Promise.resolve(); }
    return Plotly.newPlot(element, figures[id].data, figures[id].layout, config);
  });
  Promise.all(drawn).then(function () {
    document.body.setAttribute("data-plots-drawn", String(drawn.length));
  });
})();
