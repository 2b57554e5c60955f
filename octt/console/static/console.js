// The live page of the octt console: follows /events (server-sent events, one JSON message
// each) and shows the run: its cases, the current case's steps and frames, and the prompt.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  };
  let current = "";
  let prompt = null;
  let ticker = null;
  const findingsBySeq = new Map();

  function reset() {
    current = "";
    for (const id of ["cases", "steps", "findings", "frames"]) $(id).replaceChildren();
    $("progress").textContent = "";
    $("current-case").textContent = "";
    $("prompt-outcome").textContent = "";
    $("ended").hidden = true;
    findingsBySeq.clear();
    closePrompt();
  }

  function caseItem(id) {
    return document.querySelector(`#cases li[data-case="${CSS.escape(id)}"]`);
  }

  function setState(text, running) {
    $("run-state").textContent = text;
    $("stop").disabled = !running;
  }

  function onRun(m) {
    setState("running", true);
    for (const c of m.cases) {
      const item = el("li", { className: c.applicable ? "waiting" : "not-applicable" },
        el("span", { className: "verdict", textContent: c.applicable ? "…" : "n/a" }), " ",
        el("strong", { textContent: c.id }), " ", el("span", { textContent: c.title }));
      item.dataset.case = c.id;
      if (!c.applicable) item.title = c.reason;
      $("cases").append(item);
    }
  }

  function onCaseStarted(m) {
    current = m.case;
    $("current-case").textContent = `${m.case} — ${m.title}`;
    $("progress").textContent = `${m.index} of ${m.total}`;
    for (const id of ["steps", "findings", "frames"]) $(id).replaceChildren();
    const item = caseItem(m.case);
    if (item && item.className !== "not-applicable") {
      item.className = "running";
      item.querySelector(".verdict").textContent = "running";
    }
  }

  function onCaseFinished(m) {
    const item = caseItem(m.case);
    if (!item) return;
    item.className = m.verdict;
    item.querySelector(".verdict").textContent = m.verdict.toUpperCase();
    if (m.reason) item.title = m.reason;
  }

  function onStep(m) {
    if (m.case !== current) return;
    $("steps").append(el("li", { textContent: `${m.path}  ${m.description}` }));
  }

  function onFinding(m) {
    if (m.case === current) {
      $("findings").append(el("li", { className: m.severity },
        el("strong", { textContent: m.rule }), ` ${m.message}`));
    }
    for (const seq of m.frames) {
      findingsBySeq.set(seq, m);
      const row = document.querySelector(`#frames tr[data-seq="${seq}"]`);
      if (row) markFinding(row, m);
    }
  }

  function markFinding(row, finding) {
    row.classList.add("has-finding");
    row.after(el("tr", { className: `finding-row ${finding.severity}` },
      el("td", { colSpan: 7, textContent: `↳ ${finding.rule}: ${finding.message}` })));
  }

  function onFrame(m) {
    if (m.case !== current) return;
    const time = (m.utc || "").slice(11, 23);
    const arrow = m.dir === "cp->csms" ? "CP → CSMS" : "CSMS → CP";
    const response = m.response_ms === null || m.response_ms === undefined ? "" : `${m.response_ms} ms`;
    const text = m.text.length > 160 ? `${m.text.slice(0, 160)}…` : m.text;
    const row = el("tr", { className: m.dir === "cp->csms" ? "out" : "in" },
      el("td", { textContent: m.seq }), el("td", { textContent: time }),
      el("td", { textContent: arrow }), el("td", { textContent: m.type }),
      el("td", { textContent: m.action }), el("td", { textContent: response }),
      el("td", {}, el("code", { textContent: text, title: m.text })));
    row.dataset.seq = m.seq;
    $("frames").append(row);
    const finding = findingsBySeq.get(m.seq);
    if (finding) markFinding(row, finding);
  }

  function onConnection(m) {
    if (m.case !== current) return;
    const row = el("tr", { className: "connection" }, el("td", { textContent: m.seq }),
      el("td", { textContent: (m.utc || "").slice(11, 23) }),
      el("td", { colSpan: 5, textContent: `connection ${m.conn}: ${m.event} ${m.detail}` }));
    $("frames").append(row);
  }

  function countdown() {
    if (!prompt || prompt.deadline_ms === null) {
      $("prompt-countdown").textContent = "";
      return;
    }
    const left = Math.max(0, Math.ceil((prompt.deadline_ms - Date.now()) / 1000));
    $("prompt-countdown").textContent = `${left} s left`;
  }

  function onPrompt(m) {
    prompt = m;
    $("prompt-title").textContent = m.purpose === "provision" ? "Provision the CSMS" : "Make the CSMS act";
    $("prompt-case").textContent = m.case ? `${m.case} — ${m.case_title}` : "";
    $("prompt-instruction").textContent = m.instruction;
    const rows = [];
    if (m.action) rows.push(["action", m.action]);
    if (m.purpose !== "provision") rows.push(["charge point", m.cp_id]);
    rows.push(...m.rows);
    if (m.purpose !== "provision" && m.rows.length === 0) rows.push(["payload", "(no fields)"]);
    $("prompt-rows").replaceChildren(...rows.map(([key, value]) =>
      el("tr", {}, el("th", { textContent: key }), el("td", { textContent: value }))));
    $("prompt-reason").value = "";
    $("prompt-outcome").textContent = "";
    $("prompt").hidden = false;
    $("prompt").dataset.id = m.id;
    for (const b of ["prompt-done", "prompt-cannot"]) $(b).disabled = false;
    countdown();
    clearInterval(ticker);
    ticker = setInterval(countdown, 250);
  }

  function closePrompt() {
    prompt = null;
    clearInterval(ticker);
    $("prompt").hidden = true;
    delete $("prompt").dataset.id;
  }

  function onPromptClosed(m) {
    if (prompt && prompt.id === m.id) {
      closePrompt();
      $("prompt-outcome").textContent = m.detail || m.outcome;
    }
  }

  async function answer(kind) {
    if (!prompt) return;
    for (const b of ["prompt-done", "prompt-cannot"]) $(b).disabled = true;
    const body = { answer: kind, reason: $("prompt-reason").value };
    const reply = await fetch(`/prompts/${prompt.id}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (!reply.ok) {
      $("prompt-outcome").textContent = (await reply.json()).error || `refused (${reply.status})`;
    }
  }

  function onEnded(m) {
    setState(m.outcome, false);
    closePrompt();
    const ended = $("ended");
    ended.replaceChildren(`${m.outcome.toUpperCase()}: ${m.detail} `);
    const base = `/runs/${m.folder}`;
    if (m.outcome === "pass" || m.outcome === "fail") {
      for (const file of ["certificate.pdf", "report.html", "junit.xml"]) {
        ended.append(el("a", { href: `${base}/${file}`, textContent: file }), " ");
      }
    }
    ended.append(el("a", { href: "/history", textContent: "history" }));
    ended.hidden = false;
  }

  const handlers = {
    reset: reset, run: onRun, "case-started": onCaseStarted, "case-finished": onCaseFinished, step: onStep,
    finding: onFinding, frame: onFrame, connection: onConnection, prompt: onPrompt,
    "prompt-closed": onPromptClosed, ended: onEnded,
    notice: (m) => $("findings").append(el("li", { className: "notice", textContent: m.message })),
    verdict: (m) => { $("run-state").textContent = `verdict ${m.verdict.toUpperCase()}`; },
  };

  $("prompt-done").addEventListener("click", () => answer("done"));
  $("prompt-cannot").addEventListener("click", () => answer("cannot"));
  $("stop").addEventListener("click", async () => {
    $("stop").disabled = true;
    await fetch("/stop", { method: "POST" });
  });

  const source = new EventSource("/events");
  source.onopen = reset; // the stream replays the whole run on every (re)connection
  source.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const handle = handlers[message.kind];
    if (handle) handle(message);
  };
})();
