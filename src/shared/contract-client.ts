// The members of an agent service client, built from the contract's name tables: every method through one `call`,
// every event through one shared event stream, open while anyone listens. The browser's bridge client and the daemon
// socket's client differ only in how they call and read the stream.
import { EVENT_NAMES, eventProperty, METHOD_NAMES, type EventName, type MethodName } from './agent-service-names';

export interface ContractClientTransport {
  call(name: MethodName, args: unknown[]): Promise<unknown>;
  /** Reads the event stream, reopening it as the transport sees fit, until `signal` aborts; each event goes to `deliver`. */
  follow(signal: AbortSignal, deliver: (event: EventName, payload: unknown) => void): Promise<void>;
}

export interface ContractClient {
  /** One member per method and per event of the contract: cast it to the client's type. */
  members: Record<string, unknown>;
  /** Drops every listener and ends the stream. */
  closeStream(): void;
}

export function contractClient(transport: ContractClientTransport): ContractClient {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>(EVENT_NAMES.map((event) => [event, new Set()]));
  let stream: AbortController | null = null;
  const listening = (): boolean => [...listeners.values()].some((set) => set.size > 0);
  const deliver = (event: EventName, payload: unknown): void => {
    for (const listener of listeners.get(event)!) listener(payload);
  };
  const endStream = (): void => {
    stream?.abort();
    stream = null;
  };

  const members: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) members[name] = (...args: unknown[]) => transport.call(name, args);
  for (const event of EVENT_NAMES) {
    members[eventProperty(event)] = (listener: (payload: unknown) => void) => {
      // A wrapper per subscription, so subscribing the same function twice needs two unsubscribes, as with IPC.
      const subscription = (payload: unknown): void => listener(payload);
      listeners.get(event)!.add(subscription);
      if (stream === null) {
        stream = new AbortController();
        void transport.follow(stream.signal, deliver);
      }
      return () => {
        listeners.get(event)!.delete(subscription);
        if (!listening()) endStream();
      };
    };
  }
  return {
    members,
    closeStream: () => {
      for (const set of listeners.values()) set.clear();
      endStream();
    },
  };
}
