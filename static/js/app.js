// Progressive enhancements only: every page works without this file.
document.addEventListener("htmx:afterSwap", (event) => {
  // Move focus to swapped regions that ask for it, so keyboard and screen-reader users follow.
  const target = event.detail.target;
  if (target && target.hasAttribute("data-focus-on-swap")) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
