// Draws the dashboard's charts and lets the explore form update its result in place.
// No inline script anywhere (the server's Content-Security-Policy forbids it): each chart's Vega-Lite
// spec is a <script type="application/json" id="..."> block, named by the data-chart attribute of the
// element it is drawn into. Vega runs with its AST interpreter (ast: true), never `new Function`, so
// the policy needs no 'unsafe-eval'; vega-embed and vega-tooltip inject no <style> (defaultStyle off,
// disableDefaultStyle on: dashboard.css styles them instead).
(function () {
  "use strict";

  var OPTIONS = {
    ast: true,
    renderer: "svg",
    actions: false,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  };

  function drawOne(el) {
    var block = document.getElementById(el.getAttribute("data-chart"));
    el.removeAttribute("data-drawn");
    if (!block) {
      return Promise.resolve();
    }
    var spec = JSON.parse(block.textContent);
    return vegaEmbed(el, spec, OPTIONS)
      .then(function (result) {
        // The element drawn into is the chart's accessible image (role="img" with the figure's alt
        // text); the SVG's own marks would only repeat it, bar by bar, so they are hidden from
        // assistive technology. The data table under the chart gives every value.
        var svg = result.view.container().querySelector("svg");
        if (svg) {
          svg.setAttribute("aria-hidden", "true");
          svg.setAttribute("focusable", "false");
        }
        el.setAttribute("data-drawn", "true");
      })
      .catch(function (err) {
        el.setAttribute("data-drawn", "error");
        el.textContent = "The chart could not be drawn (" + err.message + "); its data are in the table below.";
        console.error(err);
      });
  }

  function draw(root) {
    var els = root.querySelectorAll("[data-chart]");
    return Promise.all(Array.prototype.map.call(els, drawOne)).then(function () {
      document.documentElement.setAttribute("data-charts", "drawn");
    });
  }

  // The explore form works as a plain GET form; with JavaScript it fetches the same page for the new
  // query, swaps the result in and puts the query in the address, so the link still reproduces the view.
  function enhanceExplore() {
    var form = document.getElementById("explore-form");
    if (!form) {
      return;
    }
    var seq = 0;
    function update() {
      var params = new URLSearchParams(new FormData(form));
      var url = form.getAttribute("action") + "?" + params.toString();
      var mine = ++seq;
      document.documentElement.setAttribute("data-charts", "pending");
      fetch(url, { headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.text();
        })
        .then(function (html) {
          if (mine !== seq) {
            return; // a newer change has been asked for
          }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("results");
          var current = document.getElementById("results");
          if (!fresh || !current) {
            window.location.assign(url);
            return;
          }
          current.replaceWith(document.importNode(fresh, true));
          window.history.pushState(null, "", url);
          return draw(document.getElementById("results"));
        })
        .catch(function (err) {
          console.error(err);
          window.location.assign(url);
        });
    }
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
    });
    window.addEventListener("popstate", function () {
      window.location.reload();
    });
  }

  function start() {
    document.documentElement.classList.add("js");
    enhanceExplore();
    draw(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
