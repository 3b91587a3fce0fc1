// The search page: loads Pagefind (the index the build made in pagefind/) the first time the reader
// searches, never before, and shows the results of the page's own language, then those of the other
// languages under their own heading, each list marked with its language. The query stays in this
// page: the form never submits, nothing enters the URL or the history, and nothing is stored.
"use strict";
(function () {
  var box = document.querySelector(".search");
  if (!box) {
    return;
  }
  var form = box.querySelector(".search__form");
  var input = box.querySelector(".search__input");
  var status = box.querySelector(".search__status");
  var hint = box.querySelector(".search__hint");
  var lists = Array.prototype.slice.call(box.querySelectorAll(".search__list"));
  var root = new URL(box.getAttribute("data-root"), document.baseURI);
  var words = box.dataset;
  var SHOWN = 10; // results shown per language: each costs a small request
  var WAIT_MS = 300; // typing pauses this long before a search starts
  var loading = null;
  var latest = 0;
  var timer = 0;

  function pagefind() {
    if (!loading) {
      // Pagefind finds its other files beside pagefind.js. Each other language is the same bundle read
      // in that language, named by its full address: mergeIndex skips a path its own path starts with.
      var bundle = new URL("pagefind/", root);
      loading = import(bundle.href + "pagefind.js").then(function (module) {
        var merged = lists.slice(1).map(function (list) {
          return module.mergeIndex(bundle.href, { language: list.dataset.language });
        });
        return Promise.all(merged).then(function () { return module; });
      });
    }
    return loading;
  }

  function fill(template, query, count) {
    return template.replace("{count}", String(count)).replace("{query}", query);
  }

  // Pagefind's excerpt is text with <mark> around the words found, and its characters escaped;
  // it is rebuilt here as text nodes and <mark> elements, never parsed as HTML.
  var ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'" };

  function unescaped(text) {
    return text.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, function (entity) { return ENTITIES[entity]; });
  }

  function snippet(excerpt) {
    var paragraph = document.createElement("p");
    paragraph.className = "search__snippet";
    excerpt.split(/(<mark>.*?<\/mark>)/).forEach(function (part) {
      var found = /^<mark>(.*)<\/mark>$/.exec(part);
      if (found) {
        var mark = document.createElement("mark");
        mark.textContent = unescaped(found[1]);
        paragraph.appendChild(mark);
      } else if (part) {
        paragraph.appendChild(document.createTextNode(unescaped(part)));
      }
    });
    return paragraph;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "search__result";
    var link = document.createElement("a");
    link.className = "search__link";
    link.href = data.url;
    link.textContent = data.meta.title;
    li.appendChild(link);
    li.appendChild(snippet(data.excerpt));
    return li;
  }

  // Which language's list a result belongs in: Pagefind names each result by its language's index
  // and a hash ("es-us_791491d"), so its language is known before its text is fetched.
  function listFor(result) {
    var language = result.id.slice(0, result.id.lastIndexOf("_"));
    return lists.filter(function (list) { return list.dataset.language === language; })[0] || lists[0];
  }

  // One language's list filled with these results, shown only when there are some (another
  // language's list with its heading).
  function fillList(list, found) {
    list.textContent = "";
    found.forEach(function (data) { list.appendChild(item(data)); });
    list.hidden = found.length === 0;
    if (list !== lists[0]) {
      list.parentNode.hidden = found.length === 0;
    }
  }

  function show(query, grouped) {
    lists.forEach(function (list) { fillList(list, grouped.get(list)); });
    var count = grouped.get(lists[0]).total;
    status.textContent = fill(count === 0 ? words.noResults : count === 1 ? words.oneResult : words.results, query, count);
    hint.hidden = count !== 0;
  }

  function clear() {
    lists.forEach(function (list) { fillList(list, []); });
    status.textContent = "";
    hint.hidden = true;
  }

  function search() {
    window.clearTimeout(timer);
    var query = input.value.trim();
    var asked = ++latest;
    if (!query) {
      clear();
      return;
    }
    if (!loading) {
      status.textContent = words.searching;
    }
    pagefind().then(function (module) {
      return module.search(query);
    }).then(function (found) {
      var grouped = new Map(lists.map(function (list) { return [list, []]; }));
      found.results.forEach(function (result) { grouped.get(listFor(result)).push(result); });
      var wanted = [];
      grouped.forEach(function (results, list) {
        wanted.push(Promise.all(results.slice(0, SHOWN).map(function (result) { return result.data(); }))
          .then(function (data) { data.total = results.length; grouped.set(list, data); }));
      });
      return Promise.all(wanted).then(function () {
        if (asked === latest) {
          show(query, grouped);
        }
      });
    }).catch(function () {
      if (asked === latest) {
        clear();
        status.textContent = words.failed;
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, WAIT_MS);
  });
  form.hidden = false;
})();
