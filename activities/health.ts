import os from 'node:os';

export interface HealthActivityDeps {
  taskQueue: string;
}

export interface WorkerHealth {
  hostname: string;
  pid: number;
  nodeVersion: string;
  taskQueue: string;
  uptimeSec: number;
}

export const createHealthActivities = (deps: HealthActivityDeps) => ({
  /** Proves a worker is polling the queue and can run activities. */
  async reportWorkerHealth(): Promise<WorkerHealth> {
    return {
      hostname: os.hostname(),
      pid: process.pid,
      nodeVersion: process.version,
      taskQueue: deps.taskQueue,
      uptimeSec: Math.round(process.uptime()),
    };
  },
});
