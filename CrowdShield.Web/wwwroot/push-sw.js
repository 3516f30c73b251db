// CrowdShield's service worker: shows the alerts the server pushes to a field tablet (Web Push, VAPID) while the
// tablet's page is closed or asleep, and opens the event's field view when the notification is tapped.
// It lives at the site root so that its scope covers every page.
self.addEventListener("push", event => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { title: "CrowdShield", body: event.data ? event.data.text() : "" };
  }
  const title = message.title || "CrowdShield alert";
  event.waitUntil(self.registration.showNotification(title, {
    body: message.body || "",
    // One notification per alert: an escalation replaces the first one and alerts again.
    tag: message.alertId || undefined,
    renotify: Boolean(message.alertId),
    requireInteraction: message.kind === "escalation",
    data: { eventId: message.eventId },
  }));
});

self.addEventListener("notificationclick", event => {
  event.notification.close();
  const eventId = event.notification.data && event.notification.data.eventId;
  const url = new URL(eventId ? `/field/${encodeURIComponent(eventId)}` : "/", self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find(w => w.url === url);
    if (open) {
      return open.focus();
    }
    return self.clients.openWindow(url);
  })());
});
