import { redisUrl } from '../../test/helpers/test-database.js';
import { eventBusContract } from './event-bus.contract.js';
import { RedisEventBus } from './redis-event-bus.js';

// Every call opens a new bus (its own connections), like another process would.
eventBusContract(
  'RedisEventBus',
  async () => new RedisEventBus(redisUrl()),
  () => (redisUrl() ? '' : 'no Redis reachable for this test run (see the global setup line)'),
);
