// The seed README's Quick Start, Typed Streams, Typed Channels and
// Security examples (examples/node/) run as written and print what the
// seed promises. The .mts ones are compiled by `make build-node`.
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkExamples } from '../../scripts/check-examples.mjs';

const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url));

test('seed examples run as written', () => {
  checkExamples(examples, `${examples}.build`);
});
