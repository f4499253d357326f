// Bundle the console's front-end (src/main.js + the official @elevenlabs/client) into one static ES module,
// and copy the resampler worklet the SDK would otherwise fetch from a CDN. Usage: node build.mjs [outdir]
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "..", "static"));
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  outfile: join(outdir, "console.js"),
});
const require = createRequire(import.meta.url);
const worklet = join(dirname(require.resolve("@alexanderolsen/libsamplerate-js")), "libsamplerate.worklet.js");
copyFileSync(worklet, join(outdir, "libsamplerate.worklet.js"));
