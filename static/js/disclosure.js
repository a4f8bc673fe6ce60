// A disclosure (<details data-open-from="640">) that a phone keeps closed opens by itself on a wider
// screen, where its content does not push the list below the first screen.
document.querySelectorAll("details[data-open-from]").forEach(function (details) {
  if (window.matchMedia("(min-width: " + details.dataset.openFrom + "px)").matches) {
    details.open = true;
  }
});
