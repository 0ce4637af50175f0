// The SPARQL editor: YASGUI (vendored in /static/yasgui/) on our own /sparql endpoint, with the
// named queries as examples. Nothing is fetched from any other host: LOV autocompletion (the
// only network-bound completer) is switched off and the endpoint list holds only our endpoint.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var YasguiClass = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  var byName = {};
  config.examples.forEach(function (ex) { byName[ex.name] = ex; });

  var yasgui = new YasguiClass(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    persistenceId: null,
    populateFromUrl: false,
    yasqe: {
      autocompleters: ["prefixes", "variables"],
      resizeable: true,
      editorHeight: "320px",
      value: config.default_query,  // new tabs start with every project prefix declared
    },
    yasr: { prefixes: config.prefixes, persistenceId: null },
  });

  var select = document.getElementById("examples");
  var about = document.getElementById("example-description");

  function show(name) {
    var ex = byName[name];
    if (!ex) { return; }
    var tab = yasgui.getTab();
    tab.setEndpoint && tab.setEndpoint(config.endpoint);
    tab.setQuery(ex.query);
    select.value = name;
    about.textContent = ex.description || "";
  }

  select.addEventListener("change", function () {
    show(select.value);
    history.replaceState(null, "", "#" + select.value);
  });

  var wanted = decodeURIComponent((location.hash || "").slice(1));
  show(byName[wanted] ? wanted : (config.examples[0] || {}).name);
  window.citygraphEditor = { yasgui: yasgui, show: show, config: config };
})();
