/** @internal A minimal typed event emitter that works the same in browsers and Node. */
export class TypedEvents<TEvents extends { [K in keyof TEvents]: (...args: never[]) => void }> {
  private readonly handlers = new Map<keyof TEvents, Set<TEvents[keyof TEvents]>>();

  on<K extends keyof TEvents>(event: K, handler: TEvents[K]): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }

    set.add(handler);
    return () => this.off(event, handler);
  }

  off<K extends keyof TEvents>(event: K, handler: TEvents[K]): void {
    this.handlers.get(event)?.delete(handler);
  }

  emit<K extends keyof TEvents>(event: K, ...args: Parameters<TEvents[K]>): void {
    const set = this.handlers.get(event);
    if (!set) {
      return;
    }

    for (const handler of [...set]) {
      try {
        (handler as (...a: Parameters<TEvents[K]>) => void)(...args);
      } catch (error) {
        // One faulty handler must not stop the others, nor the delivery of the next notification.
        console.error(`notify-hub: a '${String(event)}' handler threw`, error);
      }
    }
  }
}
