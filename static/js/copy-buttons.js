/* Copy buttons (donations/_copy_button.html): each copies its data-copy value (an account number, an
 * amount in digits, a transfer reference) so the donor can paste it into a banking app. The buttons are
 * rendered hidden and shown here, so a page without JavaScript shows only the values, to copy by hand.
 * The button says "Copied" for a moment, and a polite live region says it to screen readers. Loaded
 * as a file (the CSP allows no inline script); the words come from the button's data attributes.
 */
(function () {
  "use strict";

  var SHOW_FOR = 2000;
  var buttons = document.querySelectorAll("button[data-copy]");
  if (!buttons.length) {
    return;
  }

  /* A polite live region of its own, made at the first copy (the page's role="status" region is the
   * donation's status, which donation-status.js fills). */
  var announcer = null;

  function announce(words) {
    if (!announcer) {
      announcer = document.createElement("p");
      announcer.className = "visually-hidden";
      announcer.setAttribute("aria-live", "polite");
      announcer.setAttribute("data-copy-announcer", "");
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    setTimeout(function () {
      announcer.textContent = words; // emptied first, so a second copy is announced again
    }, 50);
  }

  /* Without the Clipboard API (an old browser, a page not served over HTTPS): the old way. */
  function copyByCommand(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    field.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyByCommand(text);
      });
    }
    return copyByCommand(text);
  }

  function say(button, words) {
    var label = button.getAttribute("data-label");
    button.textContent = words;
    announce(words);
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      button.textContent = label;
    }, SHOW_FOR);
  }

  buttons.forEach(function (button) {
    button.setAttribute("data-label", button.textContent);
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button.getAttribute("data-copy")).then(
        function () {
          say(button, button.getAttribute("data-copied"));
        },
        function () {
          say(button, button.getAttribute("data-copy-failed"));
        }
      );
    });
  });
})();
