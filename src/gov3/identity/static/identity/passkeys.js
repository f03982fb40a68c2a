// Passkeys: the browser's own WebAuthn JSON helpers (parse…OptionsFromJSON, toJSON) carry the
// options and answers; gov3's server verifies them with the `webauthn` library. The forms marked
// data-passkey-register and data-passkey-enrol and the box marked data-passkey-sign-in stay
// hidden where the browser has no passkeys.
(function () {
  "use strict";
  var supported = !!(window.PublicKeyCredential &&
    PublicKeyCredential.parseCreationOptionsFromJSON &&
    PublicKeyCredential.parseRequestOptionsFromJSON);

  function token(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  async function post(url, form, body) {
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token(form) },
      body: JSON.stringify(body || {}),
    });
    var data = await response.json();
    if (!response.ok) {
      var error = new Error(data.error || response.statusText);
      error.fromServer = true;
      throw error;
    }
    return data;
  }

  function show(form, error) {
    var status = form.querySelector("[data-passkey-status]");
    status.textContent = error.fromServer ? error.message : form.dataset.failed;
    status.hidden = false;
  }

  document.querySelectorAll("form[data-passkey-register]").forEach(function (form) {
    if (!supported) return;
    form.hidden = false;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        var options = await post(form.dataset.optionsUrl, form);
        var credential = await navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
        });
        await post(form.action, form, {
          name: form.elements.name.value,
          credential: credential.toJSON(),
        });
        window.location.reload();
      } catch (error) {
        show(form, error);
      }
    });
  });

  // An officer's enrolment link: the password first, then the new passkey; then signed in.
  document.querySelectorAll("form[data-passkey-enrol]").forEach(function (form) {
    if (!supported) return;
    form.hidden = false;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        var options = await post(form.dataset.optionsUrl, form, {
          password: form.elements.password.value,
        });
        var credential = await navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
        });
        var answer = await post(form.action, form, { credential: credential.toJSON() });
        window.location.assign(answer.redirect);
      } catch (error) {
        show(form, error);
      }
    });
  });

  // Sign-in is a button, not a form: it sits beside the password form on the same page.
  document.querySelectorAll("[data-passkey-sign-in]").forEach(function (box) {
    if (!supported) return;
    box.hidden = false;
    box.querySelector("button").addEventListener("click", async function () {
      try {
        var options = await post(box.dataset.optionsUrl, box);
        var credential = await navigator.credentials.get({
          publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
        });
        var next = box.querySelector("input[name=next]");
        var answer = await post(box.dataset.action, box, {
          credential: credential.toJSON(),
          next: next ? next.value : "",
        });
        window.location.assign(answer.redirect);
      } catch (error) {
        show(box, error);
      }
    });
  });
})();
