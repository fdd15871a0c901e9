// The main thread's instance of the engine (links, the manifest, charts, colour maps). A panic
// in it leaves the instance unusable, so it can be re-created: a fresh import of the module under
// another URL is a new module record with its own WebAssembly instance. Every main-thread call
// goes through `wasm()`, which always returns the current instance.
let api = null;
let exports = null;
let generation = 0;

/** Loads (or, after a panic, re-creates) the instance. */
export async function loadEngine() {
  const url = generation ? `./pkg/np_playground.js?instance=${generation}` : './pkg/np_playground.js';
  const module = await import(url);
  exports = await module.default();
  api = module;
  return api;
}

/** Bytes of the main-thread instance's memory (read by the soak test). */
export function memoryBytes() {
  return exports?.memory?.buffer.byteLength ?? 0;
}

/** The current instance's exports. */
export function wasm() {
  return api;
}

// The last link read and the engine's reply to it (see readLink).
let lastLink = { text: null, reply: null };

/** The engine's reading of link `text` (parseFragment's reply, parsed: a fresh object each call,
 *  the caller may change it). The last text's reply is kept: the page reads the same link again
 *  after many changes that leave it as it was (writing its link, opening the link it started
 *  from), and a sweep's link is costly to read (its cells' plan). The reading is a pure function
 *  of the text. */
export function readLink(text) {
  if (lastLink.text !== text) lastLink = { text, reply: api.parseFragment(text) };
  return JSON.parse(lastLink.reply);
}

/** The message of a panic in the main-thread instance since the last re-creation, if any (set
 *  by the engine's panic hook). */
export function panicked() {
  return self.npPanic;
}

/** Replaces a panicked instance with a fresh one. */
export async function recreateEngine() {
  generation += 1;
  self.npPanic = undefined;
  return loadEngine();
}
