/* The status page of a donation awaiting payment asks the server for its status (donations:status_json)
 * and, once the fund has posted it, shows the receipt in place: the status, the receipt number, the
 * download link, announced by the page's role="status" region. It asks 3 s after the page opens, then
 * less and less often (up to every 30 s), pauses while the tab is hidden, asks at once when the tab
 * is shown again (the donor is back from the banking app) and gives up 30 minutes after it (re)started,
 * or when the reference is unknown, showing the "check again" link the page shows without JavaScript.
 */
(function () {
  "use strict";

  var FIRST_DELAY = 3000;
  var MAX_DELAY = 30000;
  var GROWTH = 1.5;
  var GIVE_UP_AFTER = 30 * 60 * 1000;

  var region = document.querySelector("[data-status-url]");
  if (!region || !window.fetch) {
    return;
  }
  var url = region.getAttribute("data-status-url");
  var checkAgain = document.querySelector("[data-check-again]");
  var delay = FIRST_DELAY;
  var deadline = 0;
  var timer = null;
  var asking = false;
  var settled = false; // the donation left "pending": nothing more to ask

  function wait(ms) {
    clearTimeout(timer);
    timer = setTimeout(ask, ms);
  }

  function giveUp() {
    clearTimeout(timer);
    if (checkAgain) {
      checkAgain.hidden = false;
    }
  }

  function showPosted(data) {
    document.querySelectorAll("[data-receipt-row]").forEach(function (row) {
      row.hidden = false;
    });
    document.querySelector("[data-receipt-number]").textContent = data.receipt_number;
    var posted = document.getElementById("donation-posted").content.cloneNode(true);
    posted.querySelector("[data-message]").textContent = data.message;
    posted.querySelector("[data-receipt-link]").setAttribute("href", data.receipt_url);
    region.appendChild(posted);
  }

  function showCancelled(data) {
    var note = document.createElement("p");
    note.className = "visually-hidden";
    note.textContent = data.status_label;
    region.appendChild(note);
  }

  /* The donation left "pending": the page becomes what it is on a reload, without the QR code. */
  function settle(data) {
    settled = true;
    clearTimeout(timer);
    var status = document.querySelector("[data-donation-status]");
    status.textContent = data.status_label;
    status.className = "status status-" + data.status;
    document.querySelectorAll("[data-pending]").forEach(function (part) {
      part.remove();
    });
    if (data.status === "posted") {
      showPosted(data);
    } else {
      showCancelled(data);
    }
  }

  function next() {
    if (settled || document.hidden) {
      return;
    }
    if (Date.now() >= deadline) {
      giveUp(); // until the tab is shown again
      return;
    }
    wait(delay);
    delay = Math.min(delay * GROWTH, MAX_DELAY);
  }

  function ask() {
    if (settled || asking || document.hidden) {
      return;
    }
    asking = true;
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) {
          deadline = 0; // the reference is no longer known: nothing to wait for
          return null;
        }
        return response.ok ? response.json() : null; // a server hiccup: ask again later
      })
      .catch(function () {
        return null; // offline for a moment: ask again later
      })
      .then(function (data) {
        asking = false;
        if (data && data.status && data.status !== "pending") {
          settle(data);
        } else {
          next();
        }
      });
  }

  function start(firstDelay) {
    delay = FIRST_DELAY;
    deadline = Date.now() + GIVE_UP_AFTER;
    if (checkAgain) {
      checkAgain.hidden = true;
    }
    if (firstDelay) {
      next();
    } else {
      ask();
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (settled) {
      return;
    }
    if (document.hidden) {
      clearTimeout(timer);
    } else {
      start(false);
    }
  });

  start(true);
})();
