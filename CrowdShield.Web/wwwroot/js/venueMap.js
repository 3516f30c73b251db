// The venue map: zone polygons coloured by live density level, a heat layer of live pings, new-alert highlights
// and forecast outlines. Leaflet (vendored from npm in wwwroot/lib) is loaded on first use.
const levelColours = { low: "#2ECC71", moderate: "#A3D977", elevated: "#F5A623", high: "#FF7A45", critical: "#FF4D4F" };
const rank = { low: 0, moderate: 1, elevated: 2, high: 3, critical: 4 };
const pingLifetimeMs = 15 * 60 * 1000;
let leafletLoading;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

function ensureLeaflet() {
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
function label(zone) {
  const ahead = zone.predictedCount == null ? "" : ` → ${zone.predictedCount}`;
  return `${zone.name} <strong>${zone.count ?? 0}</strong>${ahead}`;
}

export async function create(element, options) {
  await ensureLeaflet();
  const L = window.L;
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
  const zoneLayer = L.featureGroup().addTo(map);
  const zones = new Map();
  for (const zone of options.zones) {
    if (!zone.polygon || zone.polygon.length < 3) continue;
    const polygon = L.polygon(zone.polygon.map(p => [p.lat, p.lng]), zoneStyle(zone.level)).addTo(zoneLayer);
    polygon.bindTooltip(label(zone), { permanent: true, direction: "center", className: "zone-label" });
    zones.set(zone.id, { polygon, state: { ...zone } });
  }
  const bounds = zoneLayer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [24, 24] });
  } else {
    map.setView([options.center.lat, options.center.lng], 17);
  }
  const heat = L.heatLayer([], { radius: 20, blur: 16, maxZoom: 19, minOpacity: 0.25 }).addTo(map);
  let points = [];
  const highlights = new Map();

  function redrawHeat() {
    const now = Date.now();
    points = points.filter(p => p[3] > now);
    heat.setLatLngs(points.map(p => [p[0], p[1], p[2]]));
  }

  const expiry = setInterval(redrawHeat, 30_000);
  const resize = new ResizeObserver(() => map.invalidateSize());
  resize.observe(element);

  return {
    update(change) {
      for (const zone of change.zones ?? []) {
        const entry = zones.get(zone.zoneId ?? zone.id);
        if (!entry) continue;
        Object.assign(entry.state, zone);
        entry.polygon.setStyle(zoneStyle(entry.state.level, entry.state.predictedLevel));
        entry.polygon.setTooltipContent(label(entry.state));
      }
      if (change.points?.length) {
        for (const p of change.points) {
          const recorded = p.recordedAt ? Date.parse(p.recordedAt) : Date.now();
          points.push([p.lat, p.lng, 0.6, recorded + pingLifetimeMs]);
        }
        if (points.length > 20000) points = points.slice(points.length - 20000);
      }
      if (change.replacePoints) {
        points = (change.points ?? []).map(p => [p.lat, p.lng, 0.6, (p.recordedAt ? Date.parse(p.recordedAt) : Date.now()) + pingLifetimeMs]);
      }
      redrawHeat();
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
      clearInterval(expiry);
      for (const timer of highlights.values()) clearTimeout(timer);
      resize.disconnect();
      map.remove();
    },
  };
}
