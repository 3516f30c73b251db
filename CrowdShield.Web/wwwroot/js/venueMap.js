// The venue map: zone polygons coloured by live density level, a heat layer of live pings, new-alert highlights
// and forecast outlines. Leaflet (vendored from npm in wwwroot/lib) is loaded on first use.
// The level colours come from the server's one palette (Levels.cs) with each map built: the same for all maps.
let levelColours = {};
const rank = { low: 0, moderate: 1, elevated: 2, high: 3, critical: 4 };
let leafletLoading;

export function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

export function ensureLeaflet() {
  leafletLoading ??= (async () => {
    if (!document.querySelector("link[data-leaflet]")) {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = new URL("lib/leaflet/leaflet.css", document.baseURI).href;
      css.dataset.leaflet = "";
      document.head.appendChild(css);
    }
    if (!window.L) {
      await loadScript(new URL("lib/leaflet/leaflet.js", document.baseURI).href);
    }
    if (!window.L.heatLayer) {
      await loadScript(new URL("lib/leaflet.heat/leaflet-heat.js", document.baseURI).href);
    }
  })();
  return leafletLoading;
}

function zoneStyle(level, predicted) {
  const colour = levelColours[level] ?? levelColours.low;
  const worse = predicted && (rank[predicted] ?? 0) > (rank[level] ?? 0);
  return {
    color: worse ? levelColours[predicted] : colour,
    weight: worse ? 4 : 2,
    dashArray: worse ? "8 6" : null,
    fillColor: colour,
    fillOpacity: 0.35,
  };
}

// Short labels keep small zones visible; the legend under the map has densities and forecasts.
// Names are user text: built as text nodes, never as HTML, so markup in a zone name stays visible text.
function label(zone) {
  const element = document.createElement("span");
  element.append(document.createTextNode(`${zone.name} `));
  const count = document.createElement("strong");
  count.textContent = String(zone.count ?? 0);
  element.append(count);
  if (zone.predictedCount != null) {
    element.append(document.createTextNode(` → ${zone.predictedCount}`));
  }
  // The level in words beside its colour: colour alone is lost on a colour-blind operator and across the room.
  if (zone.level && zone.level !== "low") {
    const level = document.createElement("span");
    level.className = `zone-level level-${zone.level}`;
    level.textContent = ` ${zone.level.toUpperCase()}`;
    element.append(level);
  }
  return element;
}

export async function create(element, options) {
  await ensureLeaflet();
  // A call that was cut off by a lost connection may be retried after the map was built: build it again.
  element.__venueMap?.dispose();
  const L = window.L;
  levelColours = options.levelColours ?? levelColours;
  const interactive = options.interactive;
  const map = L.map(element, {
    zoomControl: interactive, dragging: interactive, scrollWheelZoom: interactive, doubleClickZoom: interactive,
    boxZoom: interactive, keyboard: interactive, touchZoom: interactive, attributionControl: !!options.tileUrl,
    zoomSnap: 0.25,
  });
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, { maxZoom: 21, attribution: options.tileAttribution ?? "" }).addTo(map);
  } else {
    // Venues often have no internet: without tiles the zones are drawn on a plain background.
    element.classList.add("map-plain");
  }
  if (options.plan) {
    // The venue's own site plan under the zones: the most useful background where there are no tiles.
    const p = options.plan;
    L.imageOverlay(p.imageUrl, [[p.south, p.west], [p.north, p.east]], { opacity: 0.85 }).addTo(map);
  }
  const zoneLayer = L.featureGroup().addTo(map);
  const zones = new Map();
  // Zones are drawn largest first, so a pit inside an arena stays on top and clickable.
  function drawZones(list) {
    zoneLayer.clearLayers();
    zones.clear();
    const drawable = list.filter(z => z.polygon && z.polygon.length >= 3);
    drawable.sort((a, b) => (b.areaM2 ?? 0) - (a.areaM2 ?? 0));
    for (const zone of drawable) {
      const polygon = L.polygon(zone.polygon.map(p => [p.lat, p.lng]), zoneStyle(zone.level, zone.predictedLevel)).addTo(zoneLayer);
      polygon.bindTooltip(label(zone), { permanent: true, direction: "center", className: "zone-label" });
      zones.set(zone.id, { polygon, state: { ...zone } });
    }
  }
  drawZones(options.zones);
  // Stewards: a layer of their own, small markers with their name (text, never HTML).
  const staffLayer = L.layerGroup().addTo(map);
  function drawStaff(list) {
    staffLayer.clearLayers();
    for (const person of list ?? []) {
      const element = document.createElement("div");
      element.className = "staff-marker";
      element.dataset.testid = "staff-marker";
      element.dataset.userId = person.userId;
      element.setAttribute("aria-label", `Steward ${person.name}`);
      const name = document.createElement("span");
      name.textContent = person.name;
      element.append(name);
      L.marker([person.lat, person.lng], { icon: L.divIcon({ html: element, className: "staff-icon", iconSize: null }), keyboard: false })
        .addTo(staffLayer);
    }
  }
  drawStaff(options.staff);
  const bounds = zoneLayer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [24, 24] });
  } else {
    map.setView([options.center.lat, options.center.lng], 17);
  }
  // The heat of live pings, drawn from the server's density grid (cell centres weighted by how many live
  // pings each holds): its size follows the venue, not the ping rate.
  const heat = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 19, minOpacity: 0.25 });
  // leaflet.heat reads its canvas back with getImageData, which throws on a 0×0 canvas: a map laid out before its
  // panel has a size (or hidden on a narrow screen) skips drawing until the ResizeObserver gives it one.
  const drawHeat = heat._redraw;
  heat._redraw = function () {
    // A redraw scheduled for the next frame can run after the map was removed (the page was left): nothing to draw.
    if (!this._map || !element.isConnected) {
      return;
    }
    const size = map.getSize();
    if (size.x > 0 && size.y > 0) {
      drawHeat.call(this);
    }
  };
  heat.addTo(map);
  const highlights = new Map();
  // Tooltip positions are computed from the map's size: on a map without one (laid out, hidden, or its page
  // being left) Leaflet computes NaN and throws. Labels changed then are applied once the map has a size again.
  const staleLabels = new Set();
  const sized = () => element.isConnected && map.getSize().x > 0 && map.getSize().y > 0;
  const relabel = () => {
    for (const zoneId of staleLabels) {
      const entry = zones.get(zoneId);
      entry?.polygon.setTooltipContent(label(entry.state));
    }
    staleLabels.clear();
  };
  const resize = new ResizeObserver(() => {
    map.invalidateSize();
    if (sized()) relabel();
  });
  resize.observe(element);

  const handle = {
    update(change) {
      if (change.replaceZones) {
        // The venue changed (zones drawn, reshaped or deleted): redraw, keep the view.
        drawZones(change.replaceZones);
      }
      if (change.staff) {
        drawStaff(change.staff);
      }
      for (const zone of change.zones ?? []) {
        const entry = zones.get(zone.id);
        if (!entry) continue;
        Object.assign(entry.state, zone);
        entry.polygon.setStyle(zoneStyle(entry.state.level, entry.state.predictedLevel));
        staleLabels.add(zone.id);
      }
      if (sized()) {
        relabel();
      }
      if (change.cells) {
        const max = Math.max(1, ...change.cells.map(c => c.count));
        heat.setLatLngs(change.cells.map(c => [c.lat, c.lng, 0.3 + 0.7 * c.count / max]));
      }
      for (const zoneId of change.highlight ?? []) {
        const entry = zones.get(zoneId);
        if (!entry) continue;
        const element = entry.polygon.getElement();
        element?.classList.add("zone-alert");
        clearTimeout(highlights.get(zoneId));
        highlights.set(zoneId, setTimeout(() => element?.classList.remove("zone-alert"), 30_000));
      }
    },
    dispose() {
      for (const timer of highlights.values()) clearTimeout(timer);
      resize.disconnect();
      map.remove();
      if (element.__venueMap === handle) delete element.__venueMap;
    },
  };
  element.__venueMap = handle;
  return handle;
}
