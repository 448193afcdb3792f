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
      -2.99610707703542174e-3, -4.94730910623250734e-2, -2.2695659353968693e-1,
      -2.78661308609647788e-1, -2.23192459734184686e-2,
    ];
    const Q = [
      1.06209230528467918e-2, 1.91308926107829841e-1, 1.05167510706793207, 1.98733201817135256, 1,
    ];
    const iz2 = 1 / (z * z);
    r = (Math.exp(-z * z) / z) * (1 / Math.sqrt(Math.PI) + (iz2 * poly(P, iz2)) / poly(Q, iz2));
  }
  return x < 0 ? 2 - r : r;
}

function erfSmall(z: number): number {
  const P = [
    3.20937758913846947e3, 3.77485237685302021e2, 1.13864154151050156e2, 3.1611237438705656,
    1.85777706184603153e-1,
  ];
  const Q = [
    2.84423683343917062e3, 1.28261652607737228e3, 2.44024637934444173e2, 2.36012909523441209e1, 1,
  ];
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
