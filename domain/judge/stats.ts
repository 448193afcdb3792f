/** Small, exact statistics helpers (pure; used from workflow code). */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1). */
export function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Quantile with linear interpolation between order statistics (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Least-squares slope of values against their index. */
export function slope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = mean(values);
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/**
 * Complementary error function, W. J. Cody's rational approximations
 * (relative error below 1e-15 over the whole range).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 0.5) {
    r = 1 - erfSmall(z);
  } else if (z < 4) {
    const P = [
      300.4592610201616, 451.9189537118729, 339.3208167343437, 152.9892850469404, 43.16222722205674,
      7.211758250883094, 0.564195517478974, -1.368648573827167e-7,
    ];
    const Q = [
      300.4592609569833, 790.9509253278981, 931.3540948506096, 638.9802644656312, 277.5854447439876,
      77.00015293522948, 12.78272731962942, 1,
    ];
    r = (Math.exp(-z * z) * poly(P, z)) / poly(Q, z);
  } else {
    const P = [
      -0.002996107077035422, -0.04947309106232507, -0.22695659353968692, -0.2786613086096478,
      -0.02231924597341847,
    ];
    const Q = [0.010620923052846792, 0.19130892610782985, 1.051675107067932, 1.9873320181713525, 1];
    const iz2 = 1 / (z * z);
    r = (Math.exp(-z * z) / z) * (1 / Math.sqrt(Math.PI) + (iz2 * poly(P, iz2)) / poly(Q, iz2));
  }
  return x < 0 ? 2 - r : r;
}

function erfSmall(z: number): number {
  const P = [
    3209.3775891384694, 377.485237685302, 113.86415415105016, 3.1611237438705655,
    0.18577770618460315,
  ];
  const Q = [2844.236833439171, 1282.6165260773723, 244.02463793444417, 23.601290952344122, 1];
  const z2 = z * z;
  return (z * poly(P, z2)) / poly(Q, z2);
}

function poly(coefficients: readonly number[], x: number): number {
  let r = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) r = r * x + coefficients[i]!;
  return r;
}

/** P(Z ≥ z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The z with P(Z ≥ z) = p, by bisection on normalSf: 60 halvings reach double
 * precision, and this is called a handful of times per judgement.
 */
export function normalQuantileUpper(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalSf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
