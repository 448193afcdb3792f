/**
 * Graphviz source to SVG with Graphviz compiled to WebAssembly
 * (@hpcc-js/wasm-graphviz): no system install. The package is an ES module,
 * loaded with import() from this CommonJS code.
 */
export async function dotToSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
