export * from './slo';
export * from './dashboard';
