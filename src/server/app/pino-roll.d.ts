// Types for pino-roll 4, which ships none: the options this server uses and the SonicBoom stream it resolves to.
declare module 'pino-roll' {
  import type { SonicBoom } from 'sonic-boom';

  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    limit?: { count: number };
    mkdir?: boolean;
    /** File mode of new log files, passed to SonicBoom. */
    mode?: number;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
