export * from './anomaly';
export * from './judge';
export * from './mannWhitney';
export * from './metrics';
export * from './policies';
export * from './score';
export * from './stats';
