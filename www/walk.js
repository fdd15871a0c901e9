// The slow-motion player: steps through the sub-steps of one update (computed by the engine from
// the step's own buffers) about every 1.25 s, with previous / next / pause, as GAN Lab does. It
// only keeps time and calls `show(subStep, index, count)`; painting is the caller's.
export const SUB_STEP_MS = 1250;

export class WalkPlayer {
  constructor(show, done) {
    this.show = show;
    this.done = done;
    this.walk = null;
    this.index = 0;
    this.timer = null;
    this.playing = false;
  }

  /** Starts the walk `walk` ({step, sample, rule, steps}) from its first sub-step. */
  start(walk) {
    this.walk = walk;
    this.index = 0;
    this.playing = true;
    this.render();
    this.schedule();
  }

  get active() {
    return this.walk !== null;
  }

  current() {
    return this.walk ? this.walk.steps[this.index] : null;
  }

  render() {
    if (this.walk) this.show(this.walk.steps[this.index], this.index, this.walk.steps.length, this.playing);
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.playing || !this.walk) return;
    this.timer = setTimeout(() => {
      if (this.index + 1 < this.walk.steps.length) {
        this.index += 1;
        this.render();
        this.schedule();
      } else {
        this.playing = false;
        this.render();
      }
    }, SUB_STEP_MS);
  }

  next() {
    if (!this.walk) return;
    this.index = Math.min(this.index + 1, this.walk.steps.length - 1);
    this.render();
    this.schedule();
  }

  prev() {
    if (!this.walk) return;
    this.index = Math.max(this.index - 1, 0);
    this.render();
    this.schedule();
  }

  togglePause() {
    if (!this.walk) return;
    this.playing = !this.playing;
    if (this.playing && this.index + 1 === this.walk.steps.length) this.index = 0;
    this.render();
    this.schedule();
  }

  stop() {
    clearTimeout(this.timer);
    const was = this.walk !== null;
    this.walk = null;
    this.playing = false;
    if (was) this.done();
  }
}
