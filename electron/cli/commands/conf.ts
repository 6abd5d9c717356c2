import { EXIT, type CliCommand } from '../io.ts';

// Placeholder until the 'conf' verbs land; exits with a usage error instead of pretending.
const run: CliCommand = async (_args, io) => {
  io.err('lvsctl conf: not built yet\n');
  return EXIT.USAGE;
};
export default run;
