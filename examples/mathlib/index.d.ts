/** Sum of a list of numbers. */
export declare function sum(values: readonly number[]): number;
/** Arithmetic mean; NaN for an empty list. */
export declare function mean(values: readonly number[]): number;
/** Median; NaN for an empty list. */
export declare function median(values: readonly number[]): number;
/** Every prime below n. */
export declare function primesBelow(n: number): number[];
