import { jobQueueContract } from './job-queue.contract.js';
import { LocalQueue } from './local-queue.js';

jobQueueContract('LocalQueue', async () => new LocalQueue());
