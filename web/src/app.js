// The analyst's page of `rasd serve`. Plain DOM code over the JSON API; the view state lives in the URL hash
// (#view=place&place=gn:…), so a link restores the view. Arabic text is marked lang="ar" dir="rtl".
import L from "leaflet";
import "leaflet.markercluster";

const FAMILIES = {
  Battles: "#b3261e",
  "Explosions/Remote violence": "#a84f00", // dark enough for white labels (5.5:1)
  "Violence against civilians": "#6a1b9a",
  Protests: "#1565c0",
  Riots: "#00695c",
  "Strategic developments": "#455a64",
};
const STANCE_LABEL = { asserted: "asserted", denied: "denied", hedged: "hedged" };

// ---------- small helpers ----------
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const ar = (text, tag = "span") => el(tag, { lang: "ar", dir: "rtl", class: "ar" }, text || "");
const $ = (id) => document.getElementById(id);

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

function status(msg) {
  $("status").textContent = msg || "";
}

// ---------- state in the URL ----------
function getState() {
  const p = new URLSearchParams(location.hash.slice(1));
  const s = Object.fromEntries(p.entries());
  s.view = s.view || "map";
  return s;
}
function setState(patch, { replace = false } = {}) {
  const s = { ...getState(), ...patch };
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const hash = "#" + p.toString();
  if (hash === location.hash) return;
  if (replace) {
    history.replaceState(null, "", hash);
  } else {
    location.hash = hash;
  }
}

// ---------- views ----------
const views = ["map", "place", "contradictions", "events", "doc"];
let rendering = Promise.resolve();

async function render() {
  const s = getState();
  document.body.dataset.ready = "";
  for (const v of views) {
    $("view-" + v).hidden = v !== s.view;
    const b = document.querySelector(`nav button[data-view="${v}"]`);
    if (v === s.view) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  try {
    if (s.view === "map") await renderMap(s);
    else if (s.view === "place") await renderPlace(s);
    else if (s.view === "contradictions") await renderContradictions(s);
    else if (s.view === "events") await renderEvents(s);
    else if (s.view === "doc") await renderDoc(s);
    status("");
  } catch (e) {
    console.error(e);
    status("Error: " + ((e && e.message) || String(e)) + (e && e.stack ? " " + e.stack.split("\n").slice(0, 3).join(" ") : ""));
  }
  document.body.dataset.ready = s.view;
}

// ---------- map ----------
// Two layers: the summary (every located event, summed per place and week by /api/map/summary, so the whole
// database is drawn at a bounded cost; default) and the latest events one by one (/api/map, at most 5,000).
let map, cluster, points, days, summary;
const DAY = 86400000;
const dayOf = (d) => Math.round(Date.parse(d + "T00:00:00Z") / DAY);
const dateOf = (n) => new Date(n * DAY).toISOString().slice(0, 10);

function markerFor(p) {
  const f = p.fatalities || 0;
  const size = Math.round(Math.min(40, 12 + 5 * Math.sqrt(f)));
  const colour = FAMILIES[p.event_type] || "#333";
  const icon = L.divIcon({
    className: "ev-marker",
    html: `<span style="background:${colour};width:${size}px;height:${size}px"></span>`,
    iconSize: [size, size],
  });
  const place = p.place_name || "";
  const m = L.marker([p.lat, p.lon], {
    icon,
    title: `${p.sub_event_type}, ${place}, ${p.date || "undated"}${f ? `, ${f} killed` : ""} (${p.source})`,
    alt: `${p.sub_event_type} at ${place}`,
    keyboard: true,
  });
  m.bindPopup(() => {
    const box = el(
      "div",
      { class: "popup" },
      el("strong", { text: p.sub_event_type }),
      el("div", {}, p.date || "undated", " · ", place, " ", ar(p.place_name_ar)),
      el("div", {}, `source: ${p.source} (${p.stance})`, f ? ` · ${f} killed` : ""),
      el(
        "div",
        {},
        el("a", { href: "#" + new URLSearchParams({ view: "doc", doc: p.doc_id, ev: p.id }) }, "document"),
        p.place_id
          ? [" · ", el("a", { href: "#" + new URLSearchParams({ view: "place", place: p.place_id }) }, "place timeline")]
          : [],
      ),
    );
    return box;
  });
  m.options.day = p.date ? dayOf(p.date) : null;
  m.options.family = p.event_type;
  return m;
}

// One marker per place: the weeks of the summary up to day `t` summed; coloured by the most frequent event type,
// sized by fatalities, labelled with the number of events. Its popup leads to the events and the timeline.
function summaryMarkers(t) {
  const byPlace = new Map();
  for (const f of summary.features) {
    const p = f.properties;
    if (dayOf(p.date) > t) break; // features are in date order
    let s = byPlace.get(p.place);
    if (!s) {
      s = { p, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0], events: 0, fatalities: 0, families: {}, first: p.date };
      byPlace.set(p.place, s);
    }
    s.events += p.events;
    s.fatalities += p.fatalities;
    for (const [k, n] of Object.entries(p.families)) s.families[k] = (s.families[k] || 0) + n;
  }
  // The summary counts whole weeks (Monday to Sunday): up to the end of the week that holds `t`.
  const upTo = dateOf(t - ((new Date(t * DAY).getUTCDay() + 6) % 7) + 6);
  return [...byPlace.values()].map((s) => {
    const ranked = Object.entries(s.families).sort((a, b) => b[1] - a[1]);
    const colour = FAMILIES[ranked[0][0]] || "#333";
    const size = Math.round(Math.min(48, 22 + 3 * Math.sqrt(s.fatalities)));
    const name = s.p.name || s.p.place;
    const label = s.events > 999 ? Math.round(s.events / 1000) + "k" : String(s.events);
    const m = L.marker([s.lat, s.lon], {
      icon: L.divIcon({
        className: "ev-marker ev-summary",
        html: `<span style="background:${colour};width:${size}px;height:${size}px;line-height:${size}px">${label}</span>`,
        iconSize: [size, size],
      }),
      title: `${name}: ${s.events} events from ${s.first} to ${upTo}, ${s.fatalities} killed`,
      alt: `${name}: ${s.events} events`,
      keyboard: true,
    });
    m.bindPopup(() => {
      const events = { view: "events", to: upTo };
      if (s.p.place_id) events.place = s.p.place_id;
      return el(
        "div",
        { class: "popup" },
        el("strong", {}, name, " ", ar(s.p.name_ar)),
        el("div", {}, `${s.events} event${s.events === 1 ? "" : "s"} from ${s.first} to ${upTo}`, s.fatalities ? ` · ${s.fatalities} killed` : ""),
        el("ul", {}, ranked.map(([f, n]) => el("li", {}, `${n} ${f}`))),
        el(
          "div",
          {},
          s.p.place_id ? el("a", { class: "summary-events", href: "#" + new URLSearchParams(events) }, "these events") : "",
          s.p.place_id
            ? [" · ", el("a", { href: "#" + new URLSearchParams({ view: "place", place: s.p.place_id }) }, "place timeline")]
            : [],
        ),
      );
    });
    m.options.events = s.events;
    m.options.families = s.families;
    return m;
  });
}

async function initMap() {
  map = L.map("map", { zoomControl: true, attributionControl: true, minZoom: 3, maxZoom: 13 }).setView([33.5, 38], 5);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Outlines: Natural Earth");
  const [outlines, admin1] = await Promise.all([api("/mena.json"), api("/admin1.json")]);
  L.geoJSON(outlines, {
    style: { color: "#6b6b6b", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 },
    interactive: false,
  }).addTo(map);
  // First-level administrative boundaries (governorates, provinces), thinner and dashed.
  L.geoJSON(admin1, {
    style: { color: "#8c8c8c", weight: 0.7, dashArray: "3 3", fill: false },
    interactive: false,
  }).addTo(map);
  // A cluster takes the colour of its most frequent event type; its title counts each type.
  cluster = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    iconCreateFunction: (c) => {
      const counts = {};
      let n = 0;
      for (const m of c.getAllChildMarkers()) {
        const fam = m.options.families || { [m.options.family]: 1 };
        for (const [f, k] of Object.entries(fam)) counts[f] = (counts[f] || 0) + k;
        n += m.options.events || 1;
      }
      const ranked = Object.entries(counts).sort((a, b) => b[1] - a[1]);
      const size = Math.round(Math.min(56, 26 + 6 * Math.log2(n)));
      const colour = FAMILIES[ranked[0][0]] || "#333";
      const title = ranked.map(([f, k]) => `${k} ${f}`).join(", ");
      return L.divIcon({
        className: "ev-cluster",
        html: `<span style="background:${colour};width:${size}px;height:${size}px;line-height:${size}px" title="${title}">${n > 9999 ? Math.round(n / 1000) + "k" : n}</span>`,
        iconSize: [size, size],
      });
    },
  });
  map.addLayer(cluster);
  const legend = $("legend");
  for (const [name, colour] of Object.entries(FAMILIES)) {
    legend.append(el("li", {}, el("span", { class: "swatch", style: `background:${colour}` }), name));
  }
  legend.append(el("li", {}, "Marker size: fatalities; number: events"));
  // The summary is the first page's map; the one-by-one points are loaded when that layer is first shown.
  summary = await api("/api/map/summary");
  days = summary.first_date ? [dayOf(summary.first_date), dayOf(summary.last_date) + 6] : [0, 0];
  for (const r of document.querySelectorAll("input[name=layer]")) {
    r.addEventListener("change", async () => {
      setState({ layer: r.value === "summary" ? "" : r.value }, { replace: true });
      if (r.value === "points") await ensurePoints();
      applySlider();
    });
  }
  const slider = $("slider");
  slider.min = days[0];
  slider.max = days[1];
  slider.addEventListener("input", () => setState({ t: dateOf(+slider.value) }, { replace: true }) || applySlider());
  $("play").addEventListener("click", togglePlay);
}

async function ensurePoints() {
  if (points) return;
  const body = await api("/api/map");
  points = body.points.map((p) => ({ p, m: markerFor(p) }));
  const dated = points.filter((x) => x.m.options.day !== null).map((x) => x.m.options.day);
  if (dated.length && !summary.first_date) {
    const slider = $("slider");
    slider.min = Math.min(...dated);
    slider.max = Math.max(...dated);
  }
}

let playing = null;
function togglePlay() {
  const b = $("play");
  if (playing) {
    clearInterval(playing);
    playing = null;
    b.setAttribute("aria-pressed", "false");
    b.textContent = "Play";
    return;
  }
  const slider = $("slider");
  if (+slider.value >= +slider.max) slider.value = slider.min;
  b.setAttribute("aria-pressed", "true");
  b.textContent = "Pause";
  playing = setInterval(() => {
    if (+slider.value >= +slider.max) return togglePlay();
    slider.value = +slider.value + 1;
    setState({ t: dateOf(+slider.value) }, { replace: true });
    applySlider();
  }, 700);
}

function applySlider() {
  const slider = $("slider");
  const t = +slider.value;
  $("slider-date").textContent = dateOf(t);
  const layer = getState().layer === "points" ? "points" : "summary";
  for (const r of document.querySelectorAll("input[name=layer]")) r.checked = r.value === layer;
  cluster.clearLayers();
  if (layer === "summary") {
    const shown = summaryMarkers(t);
    cluster.addLayers(shown);
    const n = shown.reduce((a, m) => a + m.options.events, 0);
    $("map-count").textContent = `${n} located events at ${shown.length} places (whole weeks)`;
    $("map").dataset.layer = "summary";
    return;
  }
  if (!points) return;
  const shown = points.filter((x) => x.m.options.day === null || x.m.options.day <= t).map((x) => x.m);
  cluster.addLayers(shown);
  $("map-count").textContent = `${shown.length} of ${points.length} located events` + (truncatedNote() || "");
  $("map").dataset.layer = "points";
}

function truncatedNote() {
  return points.length >= 5000 ? " (the latest 5,000; the summary layer counts them all)" : "";
}

async function renderMap(s) {
  if (!map) await initMap();
  if (s.layer === "points") await ensurePoints();
  const slider = $("slider");
  slider.value = s.t ? dayOf(s.t) : slider.max;
  applySlider();
  map.invalidateSize();
  if (s.ll && s.z) {
    const [lat, lon] = s.ll.split(",").map(Number);
    if (isFinite(lat) && isFinite(lon)) map.setView([lat, lon], +s.z || 5);
  } else if (summary.features.length || (points && points.length)) {
    const ll = summary.features.length
      ? summary.features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]])
      : points.map((x) => [x.p.lat, x.p.lon]);
    map.fitBounds(L.latLngBounds(ll).pad(0.5), { maxZoom: 8 });
  }
  if (!map._rasdMoveHooked) {
    map._rasdMoveHooked = true;
    map.on("moveend", () => {
      if (getState().view !== "map") return;
      const c = map.getCenter();
      setState({ ll: `${c.lat.toFixed(3)},${c.lng.toFixed(3)}`, z: map.getZoom() }, { replace: true });
    });
  }
}

// ---------- place timeline ----------
let placesLoaded = false;
async function loadPlaces() {
  if (placesLoaded) return;
  const { places } = await api("/api/places");
  const sel = $("place-select");
  sel.append(el("option", { value: "" }, "— choose a place —"));
  for (const p of places) {
    sel.append(el("option", { value: p.place_id }, `${p.name} ${p.name_ar} (${p.claims} control claims, ${p.events} events)`));
  }
  sel.addEventListener("change", () => setState({ view: "place", place: sel.value }));
  $("horizon").addEventListener("change", () => setState({ horizon: $("horizon").value }));
  placesLoaded = true;
}

function describeClaim(c) {
  const share = c.share && (c.share.min || c.share.max) ? ` ${c.share.min ?? ""}–${c.share.max ?? ""}%` : "";
  if (c.holder) return `held by ${c.holder}${share}` + (c.not_holder ? ` (not ${c.not_holder})` : "");
  if (c.not_holder) return `not held by ${c.not_holder}`;
  return "no holder named";
}

async function renderPlace(s) {
  await loadPlaces();
  const sel = $("place-select");
  const box = $("timeline");
  box.replaceChildren();
  if (s.horizon) $("horizon").value = s.horizon;
  if (!s.place) {
    box.append(el("p", {}, "Choose a place to see who held it, according to whom: one lane per source."));
    return;
  }
  // `from`/`to` in the URL narrow the timeline to a window (the server reads only those claims).
  const tq = new URLSearchParams();
  for (const k of ["horizon", "from", "to"]) if (s[k]) tq.set(k, s[k]);
  const q = tq.toString() ? "?" + tq : "";
  const body = await api(`/api/places/${encodeURIComponent(s.place)}/timeline${q}`);
  sel.value = body.place_id;
  const tl = body.timeline;
  const claims = tl.lanes.flatMap((l) => l.claims);
  const ds = claims.map((c) => dayOf(c.date));
  const lo = Math.min(...ds) - 1;
  const hi = Math.max(...ds) + 2;
  const pct = (d) => `${(((d - lo) / (hi - lo)) * 100).toFixed(3)}%`;
  const width = (a, b) => `${(((b - a) / (hi - lo)) * 100).toFixed(3)}%`;

  box.append(
    el("h3", {}, `${body.place_name} `, ar(body.place_name_ar), ` (${body.place_id})`),
    el(
      "p",
      { class: "note" },
      `${tl.lanes.length} sources, ${claims.length} claims. `,
      body.contested.length
        ? `Contested: ${body.contested.map((c) => (c.from === c.to ? c.from : `${c.from} to ${c.to}`)).join(", ")}.`
        : "Never contested.",
    ),
  );
  const chart = el("div", { class: "tl", role: "group", "aria-label": `Control timeline of ${body.place_name}` });
  // Date axis: a tick per day (or per week on long spans).
  const axis = el("div", { class: "tl-row tl-axis", "aria-hidden": "true" }, el("div", { class: "tl-label" }, ""));
  const axisTrack = el("div", { class: "tl-track" });
  const stepDays = hi - lo > 60 ? 7 : 1;
  for (let d = lo; d < hi; d += stepDays) {
    axisTrack.append(el("span", { class: "tick", style: `left:${pct(d)}` }, dateOf(d).slice(5)));
  }
  axis.append(axisTrack);
  chart.append(axis);
  // The state row: agreed controller or contested.
  const stateTrack = el("div", { class: "tl-track" });
  tl.steps.forEach((st, i) => {
    const next = i + 1 < tl.steps.length ? dayOf(tl.steps[i + 1].date) : hi;
    const a = dayOf(st.date);
    stateTrack.append(
      el(
        "span",
        {
          class: "tl-state" + (st.contested ? " contested" : ""),
          style: `left:${pct(a)};width:${width(a, next)}`,
          title: `${st.date}: ${st.contested ? "contested" : st.controller || "unknown"}`,
        },
        st.contested ? "contested" : st.controller || "?",
      ),
    );
  });
  chart.append(el("div", { class: "tl-row" }, el("div", { class: "tl-label" }, "state"), stateTrack));
  for (const lane of tl.lanes) {
    const track = el("div", { class: "tl-track" });
    for (const st of body.contested) {
      track.append(
        el("span", {
          class: "contested-band",
          style: `left:${pct(dayOf(st.from))};width:${width(dayOf(st.from), dayOf(st.to) + 1)}`,
          "aria-hidden": "true",
        }),
      );
    }
    for (const c of lane.claims) {
      const label = `${lane.source}, ${c.date}: ${describeClaim(c)}, ${STANCE_LABEL[c.stance] || c.stance}`;
      track.append(
        el(
          "a",
          {
            class: `claim stance-${c.stance}`,
            style: `left:${pct(dayOf(c.date) + 0.5)}`,
            href: "#" + new URLSearchParams({ view: "doc", doc: c.doc_id, ev: c.event_id }),
            title: `${label}\n${c.evidence}`,
            "aria-label": label,
            "data-date": c.date,
          },
          c.stance === "denied" ? "✕" : c.stance === "hedged" ? "?" : "●",
        ),
      );
    }
    chart.append(
      el("div", { class: "tl-row lane", "data-source": lane.source }, el("div", { class: "tl-label" }, lane.source), track),
    );
  }
  box.append(chart);
  box.append(
    el(
      "p",
      { class: "note" },
      "● asserted · ? hedged · ✕ denied · shaded: contested (the sources disagree about the holder)",
    ),
  );
  // Every claim, with its words.
  const table = el(
    "table",
    { class: "claims" },
    el("caption", {}, "Claims by source"),
    el(
      "thead",
      {},
      el("tr", {}, ["date", "source", "stance", "claim", "evidence"].map((h) => el("th", { scope: "col" }, h))),
    ),
  );
  const tbody = el("tbody");
  for (const lane of tl.lanes)
    for (const c of lane.claims)
      tbody.append(
        el(
          "tr",
          {},
          el("td", {}, c.date),
          el("td", {}, lane.source),
          el("td", {}, c.stance),
          el("td", {}, describeClaim(c)),
          el(
            "td",
            {},
            el("a", { href: "#" + new URLSearchParams({ view: "doc", doc: c.doc_id, ev: c.event_id }) }, ar(c.evidence)),
          ),
        ),
      );
  table.append(tbody);
  box.append(table);
}

// ---------- contradictions ----------
async function renderContradictions(s) {
  const list = $("contra-list");
  const detail = $("contra-detail");
  const { contradictions, total, next } = await api("/api/contradictions?limit=500");
  list.replaceChildren();
  const table = el(
    "table",
    { class: "contra" },
    el("caption", {}, next ? `${total} contradictions (the first ${contradictions.length} listed)` : `${total} contradictions`),
    el(
      "thead",
      {},
      el("tr", {}, ["kind", "place", "date", "one side", "other side", ""].map((h) => el("th", { scope: "col" }, h))),
    ),
  );
  const tbody = el("tbody");
  for (const c of contradictions) {
    tbody.append(
      el(
        "tr",
        { class: c.id === s.c ? "selected" : "" },
        el("td", {}, c.kind),
        el("td", {}, c.place_name || ""),
        el("td", {}, c.date || ""),
        el("td", {}, `${c.a.source}: ${c.a.claim}`),
        el("td", {}, `${c.b.source}: ${c.b.claim}`),
        el(
          "td",
          {},
          el(
            "button",
            { type: "button", class: "open-contra", "data-id": c.id, onclick: () => setState({ c: c.id }) },
            "Open both claims",
          ),
        ),
      ),
    );
  }
  table.append(tbody);
  list.append(table);
  detail.replaceChildren();
  if (!s.c) return;
  const chosen =
    contradictions.find((c) => c.id === s.c) || (await api(`/api/contradictions/${encodeURIComponent(s.c)}`)).contradiction;
  const [da, db] = await Promise.all([api(`/api/docs/${encodeURIComponent(chosen.a.doc_id)}`), api(`/api/docs/${encodeURIComponent(chosen.b.doc_id)}`)]);
  const side = (sd, doc, label) =>
    el(
      "article",
      { class: "side", "aria-label": `${label}: ${sd.source}` },
      el("h3", {}, `${sd.source}: ${sd.claim}`),
      el("p", { class: "meta" }, `${doc.doc.outlet || ""} ${doc.doc.published || ""} · `, el("a", { href: "#" + new URLSearchParams({ view: "doc", doc: doc.doc.id, ev: sd.event_id }) }, doc.doc.id)),
      docText(doc, { only: sd.event_id, evidenceOnly: false }),
    );
  detail.append(
    el("h3", {}, `${chosen.kind} contradiction`, chosen.place_name ? ` at ${chosen.place_name}` : "", chosen.date ? `, ${chosen.date}` : ""),
    el("div", { class: "sides" }, side(chosen.a, da, "First claim"), side(chosen.b, db, "Second claim")),
  );
  // Each report scrolls (inside its own box) to its evidence; the page scrolls to the two reports.
  for (const box of detail.querySelectorAll(".doc-text")) {
    const m = box.querySelector("mark.evidence");
    if (m) box.scrollTop = Math.max(0, m.offsetTop - box.offsetTop - 40);
  }
  detail.scrollIntoView({ block: "start" });
}

// ---------- document text with highlights ----------
// Splits the text at every span boundary; each piece is marked with the spans covering it, and its title names
// the fields (hovering a highlight names the field).
function docText(d, { only = null } = {}) {
  const text = d.doc.text;
  const spans = d.spans.filter((sp) => !only || sp.event_id === only);
  const evIndex = new Map(d.doc.events.map((e, i) => [e.id, i + 1]));
  const cuts = new Set([0, text.length]);
  for (const sp of spans) {
    cuts.add(sp.u16_start);
    cuts.add(sp.u16_end);
  }
  const sorted = [...cuts].filter((c) => c >= 0 && c <= text.length).sort((a, b) => a - b);
  const box = el("div", { class: "doc-text", lang: "ar", dir: "rtl" });
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    const piece = text.slice(a, b);
    const over = spans.filter((sp) => sp.u16_start <= a && sp.u16_end >= b);
    if (!over.length) {
      box.append(piece);
      continue;
    }
    const fields = over.filter((sp) => sp.field !== "evidence");
    const names = over.map((sp) => `event ${evIndex.get(sp.event_id) || "?"}: ${sp.field === "evidence" ? "clause" : sp.field}`);
    const cls = ["hl", over.some((sp) => sp.field === "evidence") ? "evidence" : "", fields.length ? "field" : ""]
      .concat(fields.map((f) => "f-" + f.field.replace(/[^a-z0-9]/gi, "")))
      .filter(Boolean)
      .join(" ");
    box.append(
      el("mark", { class: cls, title: names.join("; "), "data-fields": fields.map((f) => f.field).join(" "), tabindex: fields.length ? "0" : null, "aria-label": fields.length ? `${piece} (${names.join("; ")})` : null }, piece),
    );
  }
  return box;
}

async function renderDoc(s) {
  const box = $("doc");
  box.replaceChildren();
  $("doc-id").value = s.doc || "";
  if (!s.doc) {
    box.append(el("p", {}, "Open a document from the map, a timeline, a contradiction or the events table."));
    return;
  }
  const d = await api(`/api/docs/${encodeURIComponent(s.doc)}`);
  const doc = d.doc;
  box.append(
    el("h3", {}, ar(doc.title || doc.id)),
    el(
      "dl",
      { class: "meta" },
      [
        ["id", doc.id],
        ["outlet", doc.outlet],
        ["published", doc.published],
        ["url", doc.url],
        ["origin", doc.origin],
        ["copy of", doc.near_dup_of],
      ]
        .filter(([, v]) => v)
        .map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]),
    ),
    el("p", { class: "note" }, "Highlights: the clause of each event; stronger colour: a field's own words. Hover or focus a highlight to see the field."),
    docText(d),
  );
  const list = el("ol", { class: "doc-events" });
  for (const e of doc.events) {
    list.append(
      el(
        "li",
        { id: "ev-" + e.id, class: e.id === s.ev ? "selected" : "" },
        `${e.event_date || "undated"} · ${e.sub_event_type} · ${e.location ? e.location.name : "-"} · ${e.source} (${e.stance})`,
        e.fatalities && e.fatalities.value != null ? ` · ${e.fatalities.value} killed` : "",
      ),
    );
  }
  box.append(el("h4", {}, "Events"), list);
  if (s.ev) $("ev-" + s.ev)?.scrollIntoView({ block: "nearest" });
}

// ---------- events table ----------
const EVENT_FILTERS = ["type", "actor", "source", "place", "from", "to"];
let eventRows = [];
let eventNext = null;

function eventQuery(s) {
  const p = new URLSearchParams();
  for (const k of EVENT_FILTERS) if (s[k]) p.set(k, s[k]);
  return p;
}

function drawEvents(s) {
  const sortKey = s.sort || "date";
  const desc = s.dir === "desc";
  const val = (e) =>
    ({
      date: e.event_date || "",
      type: e.sub_event_type,
      place: e.location ? e.location.name : "",
      actor1: e.actor1 ? e.actor1.id : "",
      actor2: e.actor2 ? e.actor2.id : "",
      fatalities: e.fatalities && e.fatalities.value != null ? e.fatalities.value : -1,
      source: e.source,
    })[sortKey];
  const rows = [...eventRows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
    return desc ? -c : c;
  });
  const cols = [
    ["date", "Date"],
    ["type", "Type"],
    ["place", "Place"],
    ["actor1", "Actor 1"],
    ["actor2", "Actor 2"],
    ["fatalities", "Fatalities"],
    ["source", "Source"],
  ];
  const head = el(
    "tr",
    {},
    cols.map(([k, label]) =>
      el(
        "th",
        { scope: "col", "aria-sort": k === sortKey ? (desc ? "descending" : "ascending") : "none" },
        el(
          "button",
          {
            type: "button",
            class: "sort",
            onclick: () => setState({ sort: k, dir: k === sortKey && !desc ? "desc" : "asc" }, { replace: false }),
          },
          label,
          k === sortKey ? (desc ? " ▼" : " ▲") : "",
        ),
      ),
    ),
    el("th", { scope: "col" }, "Evidence"),
  );
  const tbody = el("tbody");
  for (const e of rows) {
    tbody.append(
      el(
        "tr",
        {},
        el("td", { class: "date" }, e.event_date || ""),
        el("td", {}, e.sub_event_type),
        el("td", {}, e.location ? [e.location.name, " ", ar(e.location.name_ar)] : ""),
        el("td", {}, e.actor1 ? e.actor1.id : ""),
        el("td", {}, e.actor2 ? e.actor2.id : ""),
        el("td", { class: "num" }, e.fatalities && e.fatalities.value != null ? String(e.fatalities.value) : ""),
        el("td", {}, `${e.source} (${e.stance})`),
        el(
          "td",
          {},
          el("a", { href: "#" + new URLSearchParams({ view: "doc", doc: e.doc_id, ev: e.id }) }, ar(e.evidence.text)),
        ),
      ),
    );
  }
  const box = $("events-table");
  box.replaceChildren(
    el("table", { class: "events" }, el("caption", {}, `${eventRows.length} events loaded${eventNext ? " (more available)" : ""}`), el("thead", {}, head), tbody),
  );
  if (eventNext) {
    box.append(el("button", { type: "button", id: "more", onclick: loadMoreEvents }, "Load more"));
  }
}

let eventKey = null;
async function loadMoreEvents() {
  const s = getState();
  const p = eventQuery(s);
  p.set("limit", "200");
  p.set("cursor", eventNext);
  const body = await api("/api/events?" + p);
  eventRows = eventRows.concat(body.events);
  eventNext = body.next;
  drawEvents(s);
}

async function renderEvents(s) {
  const form = $("event-filters");
  for (const k of EVENT_FILTERS) form.elements[k].value = s[k] || "";
  const q = eventQuery(s);
  $("csv-link").href = "/api/export.csv" + (q.toString() ? "?" + q : "");
  $("events-error").textContent = "";
  const key = q.toString();
  if (key !== eventKey) {
    const p = new URLSearchParams(q);
    p.set("limit", "200");
    try {
      const body = await api("/api/events?" + p);
      eventRows = body.events;
      eventNext = body.next;
      eventKey = key;
    } catch (e) {
      eventRows = [];
      eventNext = null;
      eventKey = null;
      $("events-error").textContent = e.message;
    }
  }
  drawEvents(s);
}

// ---------- wiring ----------
function init() {
  for (const b of document.querySelectorAll("nav button[data-view]")) {
    b.addEventListener("click", () => setState({ view: b.dataset.view }));
  }
  const form = $("event-filters");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const patch = { view: "events" };
    for (const k of EVENT_FILTERS) patch[k] = form.elements[k].value.trim();
    setState(patch);
  });
  form.addEventListener("reset", () => {
    const patch = {};
    for (const k of EVENT_FILTERS) patch[k] = "";
    setTimeout(() => setState(patch), 0);
  });
  $("doc-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setState({ view: "doc", doc: $("doc-id").value.trim(), ev: "" });
  });
  const dl = $("types");
  for (const t of Object.keys(FAMILIES)) dl.append(el("option", { value: t }));
  window.addEventListener("hashchange", () => {
    rendering = rendering.then(render);
  });
  rendering = rendering.then(render);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
