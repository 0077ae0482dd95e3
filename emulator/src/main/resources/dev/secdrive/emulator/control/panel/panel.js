// The secdrive front panel: the control API's drives, live from its event stream, and a hand on
// each one. The token comes in the URL's fragment once (/panel#token=...), which no browser sends
// to a server, and is kept in this tab only.
"use strict";

const TOKEN_KEY = "secdrive-control-token";
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has("token")) {
  sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
  history.replaceState(null, "", location.pathname); // out of the address bar and history
}
const token = sessionStorage.getItem(TOKEN_KEY);
const cards = new Map();
const previous = new Map();

function show(problem) {
  const p = document.getElementById("problem");
  p.hidden = !problem;
  p.textContent = problem || "";
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let message = "HTTP " + response.status;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    show(method + " " + path + ": " + message);
    return null;
  }
  show(null);
  return response.json();
}

function card(drive) {
  let section = cards.get(drive.lun);
  if (section) {
    return section;
  }
  section = document.getElementById("drive").content.firstElementChild.cloneNode(true);
  section.id = "drive-" + drive.lun;
  section.dataset.lun = drive.lun;
  const at = "/drives/" + drive.lun;
  const q = (name) => section.querySelector("." + name);
  q("insert").addEventListener("click", () =>
    call("POST", at + "/insert", { medium: q("insert-medium").value }));
  q("eject").addEventListener("click", () => call("POST", at + "/remove", { force: false }));
  q("write-protect").addEventListener("click", () =>
    call("POST", at + "/write-protect", { enabled: !section.classList.contains("protected") }));
  q("erase").addEventListener("click", () => {
    if (confirm("Destroy the secure area of the medium in drive " + drive.lun + "?")) {
      call("POST", at + "/secure-area/erase", {});
    }
  });
  q("read-error").addEventListener("click", () => {
    const lba = Number.parseInt(q("fault-lba").value, 10);
    if (Number.isInteger(lba) && lba >= 0) {
      call("POST", at + "/faults", { readErrors: [lba] });
    }
  });
  q("clear-faults").addEventListener("click", () => call("DELETE", at + "/faults"));
  document.getElementById("drives").appendChild(section);
  cards.set(drive.lun, section);
  return section;
}

function render(state) {
  const now = performance.now();
  for (const drive of state.drives) {
    const section = card(drive);
    const q = (name) => section.querySelector("." + name);
    q("profile").textContent = drive.profile;
    q("lun").textContent = "LUN " + drive.lun;
    q("device-id").textContent = drive.deviceId;
    q("state").textContent = drive.state.toLowerCase().replaceAll("_", " ");
    section.dataset.state = drive.state;
    section.dataset.medium = drive.mediumId || "";
    section.classList.toggle("protected", drive.writeProtected);
    q("wp").classList.toggle("on", drive.writeProtected);
    q("locked").classList.toggle("on", drive.removalPrevented);
    q("medium").classList.toggle("empty", !drive.mediumId);
    q("label").textContent = drive.label || "";
    q("medium-id").textContent = drive.mediumId || "";
    const before = previous.get(drive.lun);
    const rate = before ? (drive.commands - before.commands) * 1000 / Math.max(1, now - before.at) : 0;
    previous.set(drive.lun, { commands: drive.commands, at: now });
    q("rate").textContent = rate.toFixed(1);
    q("busy").classList.toggle("on", rate > 0);
    q("commands").textContent = drive.commands.toLocaleString("en");
    q("bytes").textContent = drive.bytes.toLocaleString("en");
    q("last-sense").textContent = drive.lastSense || "none";
    q("read-errors").textContent = drive.readErrors.length ? drive.readErrors.join(", ") : "none";
    const rows = q("licenses").querySelector("tbody");
    rows.replaceChildren(...drive.licenses.map((license) => {
      const row = document.createElement("tr");
      for (const text of [license.contentId, license.licensor || "",
                          license.playsLeft === null ? "unlimited" : String(license.playsLeft)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      }
      return row;
    }));
    const select = q("insert-medium");
    const chosen = select.value;
    select.replaceChildren(...state.media.map((medium) => {
      const option = document.createElement("option");
      option.value = medium.id;
      option.textContent = medium.id + (medium.label ? " (" + medium.label + ")" : "");
      return option;
    }));
    if (chosen) {
      select.value = chosen;
    }
  }
}

// Server-Sent Events over fetch: EventSource cannot send the token.
async function watch() {
  const connection = document.getElementById("connection");
  for (;;) {
    try {
      const response = await fetch("/events", { headers: { "Authorization": "Bearer " + token } });
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      connection.textContent = "live";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
          if (data.length) {
            render(JSON.parse(data.join("\n")));
          }
        }
      }
    } catch (e) {
      connection.textContent = "reconnecting (" + e.message + ")";
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

if (!token) {
  show("Open this page with the control token: /panel#token=<the token of the media directory>" +
       " (./secdrive control URL panel prints the address).");
} else {
  watch();
}
