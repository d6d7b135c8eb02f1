import { eventBusContract } from './event-bus.contract.js';
import type { EventBus } from './event-bus.js';
import { LocalEventBus } from './local-event-bus.js';

// One process: "another process of the deployment" is the same in-process bus.
eventBusContract('LocalEventBus', async (peerOf?: EventBus) => peerOf ?? new LocalEventBus());
