export * from './classify';
export * from './plans';
export * from './schema';
