/**
 * Points on the Earth and the distance between them, for the store finder: "which store is
 * nearest" over a city, where the haversine formula on a sphere is within 0.5 % of the ellipsoid
 * (far less than the walk from the street to the shop's door).
 */

export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** The Earth's mean radius (IUGG), the sphere that best fits the ellipsoid on average. */
export const EARTH_RADIUS_M = 6_371_008.8;
export const LATITUDE_MAX = 90;
export const LONGITUDE_MAX = 180;

/** Great-circle distance in metres (haversine: stable for short distances, unlike the law of cosines). */
export function distanceM(from: GeoPoint, to: GeoPoint): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const half_dlat = radians(to.latitude - from.latitude) / 2;
  const half_dlon = radians(to.longitude - from.longitude) / 2;
  const a = Math.sin(half_dlat) ** 2 + Math.cos(radians(from.latitude)) * Math.cos(radians(to.latitude)) * Math.sin(half_dlon) ** 2;
  // min(1, …): rounding can push `a` a hair past 1 for antipodal points, and asin would return NaN.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export type CoordinateProblem = 'latitude' | 'longitude';
export type GeoPointResult = { ok: true; point: GeoPoint } | { ok: false; problem: CoordinateProblem };

/**
 * A plain decimal number of degrees, as a browser's geolocation gives it ("55.758", "-0.5");
 * no exponent, no "N"/"E", no comma, and no more digits than a coordinate can mean.
 */
const DECIMAL_DEGREES = /^[-+]?\d{1,3}(?:\.\d{1,12})?$/;

/** Latitude and longitude as typed in an address (`?lat=55.758&lon=37.613`); names the first bad one. */
export function parseGeoPoint(latitude: string, longitude: string): GeoPointResult {
  const lat = parseDegrees(latitude, LATITUDE_MAX);
  if (lat === undefined) return { ok: false, problem: 'latitude' };
  const lon = parseDegrees(longitude, LONGITUDE_MAX);
  if (lon === undefined) return { ok: false, problem: 'longitude' };
  return { ok: true, point: { latitude: lat, longitude: lon } };
}

function parseDegrees(text: string, limit: number): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL_DEGREES.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Math.abs(value) <= limit ? value : undefined;
}
