// Web Push on a field tablet: whether to ask, and the subscription the server needs (endpoint and keys). The
// question is asked once per browser: "Not now" is remembered, and so is a refusal in the browser's own prompt.
const ASKED_KEY = "crowdshield.push.asked";

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window && window.isSecureContext;
}

// "unsupported", "denied", "subscribed", "asked" (declined here) or "ask".
export async function state() {
  if (!supported()) {
    return "unsupported";
  }
  if (Notification.permission === "denied") {
    return "denied";
  }
  const registration = await navigator.serviceWorker.getRegistration("/");
  if (registration && await registration.pushManager.getSubscription()) {
    return "subscribed";
  }
  return localStorage.getItem(ASKED_KEY) === "true" ? "asked" : "ask";
}

export function decline() {
  localStorage.setItem(ASKED_KEY, "true");
}

// Registers the service worker, asks for permission and subscribes; returns { endpoint, p256dh, auth }.
export async function subscribe(publicKey) {
  localStorage.setItem(ASKED_KEY, "true");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    throw new Error("Notifications were not allowed on this tablet.");
  }
  const registration = await navigator.serviceWorker.register("/push-sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription()
    || await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(publicKey) });
  const json = subscription.toJSON();
  return { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth };
}

function bytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), c => c.charCodeAt(0));
}
