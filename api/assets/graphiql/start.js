// Starts GraphiQL with the example tabs the server wrote into the page. A
// file rather than an inline script, so that the page's Content-Security-Policy
// can allow scripts from this server only.
(function () {
  'use strict';

  // GraphiQL's dialogs lock scrolling with a <style> element they add, which
  // the page's policy allows only with this nonce; the library reads it from
  // this global (a bundler convention).
  window.__webpack_nonce__ = document.currentScript && document.currentScript.nonce;

  var tabs = [];
  try {
    var parsed = JSON.parse(document.getElementById('default-tabs').textContent);
    if (Array.isArray(parsed)) {
      tabs = parsed;
    }
  } catch (e) {
    // Placeholder not substituted: start with an empty editor.
  }

  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: tabs.length ? tabs[0].query : '',
      defaultTabs: tabs,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: true
    })
  );
})();
