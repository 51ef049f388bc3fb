// Bundles the browser client into static/dist: board.js, board.css, home.js (the home
// page's import) and sw.js (+ maps).
// sw.js is the service worker (served at /sw.js). Run from static/: `node build.mjs` (the Makefile does). `--watch` rebuilds on change.
import * as esbuild from 'esbuild'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const watch = process.argv.includes('--watch')

const options = {
  absWorkingDir: here,
  entryPoints: [
    { in: 'src/main.js', out: 'board' },
    { in: 'src/home.js', out: 'home' },
    { in: 'src/workshop/vision-page.js', out: 'vision' },
    { in: 'css/board.css', out: 'board' },
    { in: 'src/sw.js', out: 'sw' }
  ],
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  loader: { '.json': 'json' },
  logLevel: 'warning'
}

if (watch) {
  const context = await esbuild.context(options)
  await context.watch()
  console.log('esbuild: watching static/src and static/css')
} else {
  const result = await esbuild.build({ ...options, metafile: true })
  const outputs = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, info]) => `${file} ${(info.bytes / 1024).toFixed(1)} KiB`)
  console.log(outputs.join('\n'))
}
