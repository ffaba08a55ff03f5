import { parentPort } from 'node:worker_threads';
import { runTask, type WorkerTask } from './worker-tasks';

// One task at a time per worker; the pool never sends a second before the first is answered.
parentPort?.on('message', (message: { id: number; task: WorkerTask }) => {
  runTask(message.task).then(
    (result) => parentPort?.postMessage({ id: message.id, result }),
    (err: unknown) => parentPort?.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
