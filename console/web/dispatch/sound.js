// The alert sound for a new emergency: a WebAudio beep. Browsers start audio only after a user gesture,
// so the page shows an "enable sound" banner once; its click creates (resumes) the AudioContext.

export class Sound {
  constructor() {
    /** @type {AudioContext | null} */
    this.ctx = null;
  }

  get enabled() {
    return this.ctx !== null && this.ctx.state === 'running';
  }

  /** Called from the banner's click (a user gesture). */
  async enable() {
    this.ctx ??= new AudioContext();
    await this.ctx.resume();
  }

  /** Three short beeps at 880 Hz (about 0.6 s); silent until sound is enabled. */
  alert() {
    if (!this.ctx) return;
    const start = this.ctx.currentTime;
    for (let k = 0; k < 3; k++) {
      const osc = this.ctx.createOscillator();
      const gain = this.ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(this.ctx.destination);
      osc.start(start + k * 0.22);
      osc.stop(start + k * 0.22 + 0.14);
    }
  }
}
