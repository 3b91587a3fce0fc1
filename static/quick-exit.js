/* "Leave this site": someone may walk in while a reader is on this page. Hide it at once, then
   replace it in the history so Back does not bring it back. Without JavaScript the button is a
   plain link to the same neutral page. */
(function () {
  "use strict";

  var button = document.querySelector("[data-quick-exit]");
  if (!button) {
    return;
  }
  var destination = button.href;
  var SHIFT_PRESSES = 3;
  var WITHIN_MS = 1500;
  var presses = [];

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.hidden = true;
    document.title = "";
    window.location.replace(destination);
  }

  button.addEventListener("click", leave);

  // Counted on keyup so that holding Shift down counts once; any other key starts the count
  // again, so typing capital letters never triggers it.
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") {
      presses = [];
      return;
    }
    var now = Date.now();
    presses = presses.filter(function (time) {
      return now - time < WITHIN_MS;
    });
    presses.push(now);
    if (presses.length >= SHIFT_PRESSES) {
      leave();
    }
  });

  // Offered only now that the shortcut works; without this file a screen reader must not announce it.
  document.getElementById("quick-exit-hint").hidden = false;
  button.setAttribute("aria-describedby", "quick-exit-hint");
})();
