// The alarm in the control room: a two-tone pulse generated with WebAudio (no audio file to fetch), repeated while
// a critical alert is unacknowledged. The mute belongs to this browser (localStorage), not to the user: a second
// screen in the same room stays silent once muted, a screen elsewhere does not.
const MUTE_KEY = "crowdshield.alarm.muted";
const PERIOD_MS = 1500;

let context = null;
let timer = null;

export function isMuted() {
  try {
    return localStorage.getItem(MUTE_KEY) === "true";
  } catch {
    return false;
  }
}

export function setMuted(muted) {
  try {
    localStorage.setItem(MUTE_KEY, muted ? "true" : "false");
  } catch {
    // Storage blocked: the mute lasts as long as the page.
  }
  if (muted) {
    stop();
  }
}

export function start() {
  if (timer !== null) {
    return;
  }
  pulse();
  timer = setInterval(pulse, PERIOD_MS);
}

export function stop() {
  if (timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

function audio() {
  if (!context) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    context = new Context();
  }
  if (context.state === "suspended") {
    // Browsers only let a page make sound after the user touched it: try now, and again at the next touch.
    context.resume().catch(() => {});
    const resume = () => context.resume().catch(() => {});
    document.addEventListener("pointerdown", resume, { once: true });
    document.addEventListener("keydown", resume, { once: true });
  }
  return context;
}

function pulse() {
  const ctx = audio();
  if (!ctx) {
    return;
  }
  const now = ctx.currentTime;
  [[880, 0], [660, 0.3]].forEach(([frequency, offset]) => {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = "square";
    oscillator.frequency.value = frequency;
    // A short attack and release: a beep, not a click.
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.25);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(now + offset);
    oscillator.stop(now + offset + 0.27);
  });
}
