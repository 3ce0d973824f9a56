// Floor: Node starting and exiting, nothing else (`node bench/floor/node-start.mjs`).
