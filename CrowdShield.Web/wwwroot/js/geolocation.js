// The tablet's position, for incident reports and the opt-in "share my location" pings.

export function getPosition(timeoutMs) {
  return new Promise(resolve => {
    if (!navigator.geolocation) {
      resolve({ error: "This browser cannot tell its location." });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      p => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      e => resolve({ error: e.code === e.PERMISSION_DENIED ? "Location access was refused." : "The location is not available." }),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30_000 });
  });
}

// Calls dotnet.OnPosition(lat, lng, accuracy) at most once per interval while the position is known.
export function watch(dotnet, intervalMs) {
  if (!navigator.geolocation) {
    dotnet.invokeMethodAsync("OnPositionError", "This browser cannot tell its location.");
    return { stop() { } };
  }
  let last = 0;
  const id = navigator.geolocation.watchPosition(
    p => {
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      dotnet.invokeMethodAsync("OnPosition", p.coords.latitude, p.coords.longitude, p.coords.accuracy);
    },
    e => dotnet.invokeMethodAsync("OnPositionError", e.code === e.PERMISSION_DENIED ? "Location access was refused." : "The location is not available."),
    { enableHighAccuracy: true, maximumAge: 10_000 });
  return { stop() { navigator.geolocation.clearWatch(id); } };
}
