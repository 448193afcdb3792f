export * from './anomaly';
export * from './judge';
export * from './mannWhitney';
export * from './policies';
export * from './stats';
