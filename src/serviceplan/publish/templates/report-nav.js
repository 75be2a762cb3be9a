// serviceplan: what every page of a version does when it is viewed (Quarto site and HTML previews alike).
// 1. Names the page's navigation landmarks that have no name, so that each landmark is unique
//    (axe-core rule landmark-unique): the site's page list, the narrow-screen menu, the contents, prev/next.
// 2. Loads versions.js from the report root (the same data as versions.json; a script, because pages opened
//    from disk may not fetch files) and, when a later revision has superseded this version, says so in the
//    version bar with a link to the newest version. The version's own files never change for this.
(function () {
  "use strict";
  function name(selector, text) {
    document.querySelectorAll(selector).forEach(function (element) {
      if (!element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
        element.setAttribute("aria-label", text);
      }
    });
  }
  name("#quarto-sidebar", "Raportin sivut");
  name("nav.quarto-secondary-nav", "Sivuvalikko");
  name("nav#TOC", "Sivun sisällys");
  name("nav.page-navigation", "Edellinen ja seuraava sivu");

  var bar = document.getElementById("sp-version-bar");
  var notice = document.getElementById("sp-version-notice");
  if (!bar || !notice) {
    return;
  }
  var root = bar.getAttribute("data-report-root") || "../..";
  var version = bar.getAttribute("data-version");

  function finnishDate(iso) {
    var parts = (iso || "").split("-");
    return parts.length === 3 ? Number(parts[2]) + "." + Number(parts[1]) + "." + parts[0] : "";
  }

  function show(data) {
    var entries = (data && data.versions) || [];
    var own = entries.filter(function (e) { return e.version === version; })[0];
    if (!own || own.status !== "superseded") {
      return;
    }
    var newest = entries.filter(function (e) { return e.version === own.latest; })[0];
    notice.textContent = "Tämä versio on korvattu uudemmalla. ";
    if (newest && newest.report) {
      var link = document.createElement("a");
      link.href = root + "/" + newest.report;
      link.textContent = "Uusin versio: " + newest.version + " (" + newest.label + ", julkaistu " +
        finnishDate(newest.published) + ")";
      notice.appendChild(link);
    }
    notice.hidden = false;
  }

  var loader = document.createElement("script");
  loader.src = root + "/versions.js";
  loader.onload = function () { show(window.serviceplanVersions); };
  document.head.appendChild(loader);
})();
