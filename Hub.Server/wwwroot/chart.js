// Notifications per second over the last minute, drawn on a canvas once a second.

export class RateChart {
  #canvas;
  #rate;
  #samples;
  #current = 0;

  constructor({ canvas, rate, seconds = 60 }) {
    this.#canvas = canvas;
    this.#rate = rate;
    this.#samples = new Array(seconds).fill(0);
  }

  count() {
    this.#current++;
  }

  start() {
    this.#draw();
    setInterval(() => this.#tick(), 1000);
    return this;
  }

  #tick() {
    this.#samples.push(this.#current);
    this.#samples.shift();
    this.#rate.textContent = this.#current.toLocaleString();
    this.#current = 0;
    this.#draw();
    const total = this.#samples.reduce((sum, value) => sum + value, 0);
    this.#canvas.dataset.total = String(total);
    this.#canvas.setAttribute("aria-label",
      `${total} notifications in the last ${this.#samples.length} seconds, at most ${Math.max(...this.#samples)} in one second`);
  }

  #draw() {
    const canvas = this.#canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }

    const style = getComputedStyle(canvas);
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, width, height);

    const top = niceCeiling(Math.max(...this.#samples));
    const labelFont = 11 * ratio;
    const plotTop = labelFont + 4 * ratio;
    const plotHeight = height - plotTop - 1;
    const barWidth = width / this.#samples.length;

    context.strokeStyle = style.getPropertyValue("--grid").trim() || "#ddd";
    context.lineWidth = 1;
    context.beginPath();
    for (const fraction of [0, 0.5, 1]) {
      const y = Math.round(plotTop + plotHeight * (1 - fraction)) + 0.5;
      context.moveTo(0, y);
      context.lineTo(width, y);
    }
    context.stroke();

    context.fillStyle = style.getPropertyValue("--bar").trim() || "#3b82f6";
    this.#samples.forEach((value, index) => {
      const barHeight = top === 0 ? 0 : Math.round((value / top) * plotHeight);
      context.fillRect(index * barWidth + 1, plotTop + plotHeight - barHeight, Math.max(1, barWidth - 2), barHeight);
    });

    context.fillStyle = style.getPropertyValue("--muted").trim() || "#666";
    context.font = `${labelFont}px system-ui, sans-serif`;
    context.textBaseline = "top";
    context.textAlign = "left";
    context.fillText(`${top.toLocaleString()}/s`, 2 * ratio, 0);
    context.textAlign = "right";
    context.fillText(`last ${this.#samples.length} s`, width - 2 * ratio, 0);
  }
}

/** 1, 2, 5, 10, 20, 50, ...: a round top for the axis, at least 10. */
function niceCeiling(value) {
  if (value <= 10) {
    return 10;
  }

  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * magnitude) {
      return step * magnitude;
    }
  }

  return 10 * magnitude;
}
