/** The static side of the double: boots `FakeContainer`s and records what was called, in order. */
import type { BootOptions, WebContainerApi } from '../container.ts';
import { FakeContainer } from './fake-webcontainer.ts';

export class FakeApi implements WebContainerApi {
  readonly calls: string[] = [];
  readonly booted: FakeContainer[] = [];
  bootOptions: BootOptions[] = [];
  /** Replace to make a boot hang or fail. */
  nextBoot: () => Promise<FakeContainer> = async () => new FakeContainer();
  /** Applied to every container this API boots. */
  setup: (container: FakeContainer) => void = () => undefined;

  async boot(options: BootOptions): Promise<FakeContainer> {
    this.calls.push('boot');
    this.bootOptions.push(options);
    const container = await this.nextBoot();
    this.setup(container);
    this.booted.push(container);
    return container;
  }

  configureAPIKey(key: string): void {
    if (this.calls.includes('boot')) throw new Error('configureAPIKey must be called before boot');
    this.calls.push(`configureAPIKey:${key}`);
  }
}
