// Set up event handlers
const reconnectModal = document.getElementById("components-reconnect-modal");
reconnectModal.addEventListener("components-reconnect-state-changed", handleReconnectStateChanged);

const retryButton = document.getElementById("components-reconnect-button");
retryButton.addEventListener("click", retry);

const resumeButton = document.getElementById("components-resume-button");
resumeButton.addEventListener("click", resume);

// Wall displays run unattended: no modal over the picture, and when the circuit is lost for good the page
// waits for the server to answer and reloads itself.
const unattended = document.body.classList.contains("kiosk") || location.pathname.startsWith("/kiosk/");

// The connection indicator on every page (Shared/ConnectionStatus.razor): green, yellow, red. Found by its class:
// test hooks are for tests, not for the app's own code. The state is also set on <html>, where the stylesheet
// stops the LIVE mark, and a wall display shows since when its picture is stale.
let blazorConnected = true;
let staleSince = null;

function setConnectionState(state) {
    for (const element of document.querySelectorAll(".connection-status")) {
        element.dataset.state = state;
    }
    document.documentElement.dataset.connection = state;
    if (state === "connected") {
        staleSince = null;
    } else if (staleSince === null) {
        staleSince = new Date();
    }
    if (unattended) {
        showStaleBanner();
    }
}

// Outside Blazor's markup (appended to <body>), so no render of the page can remove or reset it.
function showStaleBanner() {
    let banner = document.getElementById("stale-banner");
    if (staleSince === null) {
        banner?.remove();
        return;
    }
    if (!banner) {
        banner = document.createElement("div");
        banner.id = "stale-banner";
        banner.className = "stale-banner";
        banner.setAttribute("role", "alert");
        banner.dataset.testid = "stale-banner";
        document.body.appendChild(banner);
    }
    const since = staleSince.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    banner.textContent = `Data is stale since ${since} — reconnecting`;
}

// The browser knows at once when the network is gone; the connection would only notice at its next timeout.
window.addEventListener("offline", () => setConnectionState("reconnecting"));
window.addEventListener("online", () => {
    if (blazorConnected) {
        setConnectionState("connected");
    } else {
        // Do not wait for the next scheduled attempt: catch up now.
        retry();
    }
});

function handleReconnectStateChanged(event) {
    const state = event.detail.state;
    blazorConnected = state === "hide";
    if (state === "show" || state === "retrying") {
        setConnectionState("reconnecting");
        if (!unattended && !reconnectModal.open) {
            reconnectModal.showModal();
        }
    } else if (state === "hide") {
        setConnectionState(navigator.onLine ? "connected" : "reconnecting");
        if (reconnectModal.open) {
            reconnectModal.close();
        }
    } else {
        setConnectionState("disconnected");
        if (unattended) {
            reloadWhenServerAnswers();
        } else if (state === "failed") {
            document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
        } else if (state === "rejected") {
            location.reload();
        }
    }
}

let reloading = false;
async function reloadWhenServerAnswers() {
    if (reloading) {
        return;
    }
    reloading = true;
    for (;;) {
        try {
            const response = await fetch("/health", { cache: "no-store" });
            if (response.ok) {
                location.reload();
                return;
            }
        } catch {
            // Still unreachable; try again shortly.
        }
        await new Promise(resolve => setTimeout(resolve, 5000));
    }
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenDocumentBecomesVisible);

    try {
        // Reconnect will asynchronously return:
        // - true to mean success
        // - false to mean we reached the server, but it rejected the connection (e.g., unknown circuit ID)
        // - exception to mean we didn't reach the server (this can be sync or async)
        const successful = await Blazor.reconnect();
        if (!successful) {
            // We have been able to reach the server, but the circuit is no longer available.
            // We'll reload the page so the user can continue using the app as quickly as possible.
            const resumeSuccessful = await Blazor.resumeCircuit();
            if (!resumeSuccessful) {
                location.reload();
            } else {
                reconnectModal.close();
            }
        }
    } catch (err) {
        // We got an exception, server is currently unavailable
        document.addEventListener("visibilitychange", retryWhenDocumentBecomesVisible);
    }
}

async function resume() {
    try {
        const successful = await Blazor.resumeCircuit();
        if (!successful) {
            location.reload();
        }
    } catch {
        reconnectModal.classList.replace("components-reconnect-paused", "components-reconnect-resume-failed");
    }
}

async function retryWhenDocumentBecomesVisible() {
    if (document.visibilityState === "visible") {
        await retry();
    }
}
