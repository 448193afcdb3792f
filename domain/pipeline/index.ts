export * from './classify';
export * from './plans';
export * from './schema';
export * from './lanes';
export * from './status';
export * from './start';
