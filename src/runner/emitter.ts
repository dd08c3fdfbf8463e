/**
 * A minimal typed event emitter: the runner's only way to tell the UI and the CLI what happens.
 * Listeners must not throw; one that does is isolated so the runner keeps going.
 */
export class Emitter<Event> {
  #listeners = new Set<(event: Event) => void>();

  /** Subscribe; returns the function that unsubscribes. */
  on(listener: (event: Event) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: Event): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        // A broken view must not stop a job; report it where a developer will see it.
        console.error('tabrunner: event listener failed', err);
      }
    }
  }
}
