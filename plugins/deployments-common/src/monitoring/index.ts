export * from './slo';
export * from './dashboard';
export * from './metrics';
