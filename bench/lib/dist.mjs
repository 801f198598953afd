// The benchmarks drive the compiled product (`npm run build` first; `npm run bench` does it).
export const distUrl = (file) => new URL(`../../dist/src/${file}`, import.meta.url).href;

/** Imports a compiled module of the product by its path under src/ ("db/database.js"). */
export const fromDist = (file) => import(distUrl(file));
