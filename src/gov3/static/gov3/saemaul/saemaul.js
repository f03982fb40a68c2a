/*
 * Saemaul pages, optional behaviour (every page works without it):
 * "Use my location" fills the site's latitude and longitude from the phone's GPS.
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-sm-locate]").forEach(function (button) {
    if (!("geolocation" in navigator)) {
      return;
    }
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) { status.textContent = button.dataset.waiting || ""; }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          document.getElementById(button.dataset.latitude).value = position.coords.latitude.toFixed(6);
          document.getElementById(button.dataset.longitude).value = position.coords.longitude.toFixed(6);
          if (status) { status.textContent = button.dataset.done || ""; }
        },
        function () {
          if (status) { status.textContent = button.dataset.failed || ""; }
        },
        { enableHighAccuracy: true, timeout: 20000 }
      );
    });
  });
})();
