// The zone editor: the venue's zones on a Leaflet map with Leaflet-Geoman (vendored from npm in wwwroot/lib) to
// draw, reshape, move and delete outlines. The page keeps the zones; this module only reports what the admin drew.
import { ensureLeaflet, loadScript } from "./venueMap.js";

let geomanLoading;

function ensureGeoman() {
  geomanLoading ??= (async () => {
    await ensureLeaflet();
    if (!document.querySelector("link[data-geoman]")) {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = new URL("lib/leaflet-geoman/leaflet-geoman.css", document.baseURI).href;
      css.dataset.geoman = "";
      document.head.appendChild(css);
    }
    if (!window.L.PM) {
      await loadScript(new URL("lib/leaflet-geoman/leaflet-geoman.js", document.baseURI).href);
    }
  })();
  return geomanLoading;
}

const ring = layer => layer.getLatLngs()[0].map(p => ({ lat: p.lat, lng: p.lng }));

export async function create(element, options, dotnet) {
  await ensureGeoman();
  element.__zoneEditor?.dispose();
  const L = window.L;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: !!options.tileUrl });
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, { maxZoom: 21, attribution: options.tileAttribution ?? "" }).addTo(map);
  } else {
    element.classList.add("map-plain");
  }
  if (options.plan) {
    const p = options.plan;
    L.imageOverlay(p.imageUrl, [[p.south, p.west], [p.north, p.east]], { opacity: 0.85, pmIgnore: true }).addTo(map);
  }
  map.pm.setGlobalOptions({ allowSelfIntersection: false, snappable: true });
  map.pm.addControls({
    position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false, drawText: false,
    drawRectangle: true, drawPolygon: true, editMode: true, dragMode: true, cutPolygon: false, removalMode: true, rotateMode: false,
  });
  const layers = new Map();
  let selected;
  let drawn = 0;

  function style(id) {
    return id === selected
      ? { color: "#4dabf7", weight: 4, fillColor: "#4dabf7", fillOpacity: 0.3 }
      : { color: "#adb5bd", weight: 2, fillColor: "#adb5bd", fillOpacity: 0.15 };
  }

  function register(layer, id, name) {
    layer.__zoneId = id;
    layer.setStyle(style(id));
    if (name) {
      const label = document.createElement("span");
      label.textContent = name;
      layer.bindTooltip(label, { permanent: true, direction: "center", className: "zone-label" });
    }
    // While a shape is being drawn, a click on a zone is a corner of the new shape, not a selection.
    layer.on("click", () => map.pm.globalDrawModeEnabled() || dotnet.invokeMethodAsync("OnSelected", id));
    layer.on("pm:edit", () => dotnet.invokeMethodAsync("OnReshaped", id, ring(layer)));
    layer.on("pm:dragend", () => dotnet.invokeMethodAsync("OnReshaped", id, ring(layer)));
    layers.set(id, layer);
  }

  function setZones(zones) {
    for (const layer of layers.values()) layer.remove();
    layers.clear();
    for (const zone of zones) {
      if (!zone.polygon || zone.polygon.length < 3) continue;
      register(L.polygon(zone.polygon.map(p => [p.lat, p.lng])).addTo(map), zone.id, zone.name);
    }
  }

  map.on("pm:create", e => {
    const id = `new-${++drawn}`;
    register(e.layer, id);
    dotnet.invokeMethodAsync("OnDrawn", id, ring(e.layer));
  });
  map.on("pm:remove", e => {
    if (e.layer.__zoneId) {
      layers.delete(e.layer.__zoneId);
      dotnet.invokeMethodAsync("OnRemoved", e.layer.__zoneId);
    }
  });

  setZones(options.zones);
  const all = L.featureGroup([...layers.values()]);
  if (all.getLayers().length > 0) {
    map.fitBounds(all.getBounds(), { padding: [24, 24] });
  } else {
    map.setView([options.center.lat, options.center.lng], 17);
  }
  const resize = new ResizeObserver(() => map.invalidateSize());
  resize.observe(element);

  const handle = {
    setZones,
    select(id) {
      selected = id;
      for (const [zoneId, layer] of layers) layer.setStyle(style(zoneId));
    },
    rename(id, name) {
      const layer = layers.get(id);
      if (!layer) return;
      const label = document.createElement("span");
      label.textContent = name;
      layer.unbindTooltip();
      layer.bindTooltip(label, { permanent: true, direction: "center", className: "zone-label" });
    },
    dispose() {
      resize.disconnect();
      map.remove();
      if (element.__zoneEditor === handle) delete element.__zoneEditor;
    },
  };
  element.__zoneEditor = handle;
  return handle;
}

// Saves text as a file the browser downloads (the GeoJSON export).
export function download(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
