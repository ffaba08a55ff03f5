/**
 * AccuAuth's simulator as a child process of the bench (bench/children.ts), so that its CPU is not
 * counted as the measured server's. Sends { url } once listening; the bench reads its billing counters
 * over HTTP (GET /__sim/billing). Exits when the parent disconnects.
 */
import { startAccuauthSimulator } from '../adapters/accuauth/simulator';

void startAccuauthSimulator(0).then((sim) => {
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  process.send?.({ ready: true, url: sim.url });
});
